import { describe, expect, it } from 'vitest'
import { requestPath } from '../src/host/requestPath.js'

describe('requestPath (every host request starts here; undefined means 400)', () => {
  it.each(['//', '/\\', '/%', '/%E0%A4%A', '//evil.example/x', '/a\\b', '*', 'http://a/b', '', '/%00', `/${'a'.repeat(3000)}`])('refuses %j', (target) => {
    expect(requestPath(target)).toBeUndefined()
  })

  it('decodes ordinary paths and resolves dot segments', () => {
    expect(requestPath('/')).toBe('/')
    expect(requestPath('/config.json?x=1')).toBe('/config.json')
    expect(requestPath('/assets/a%20b.js')).toBe('/assets/a b.js')
    expect(requestPath('/a/../b')).toBe('/b')
    expect(requestPath(undefined)).toBeUndefined()
  })

  it('never throws, whatever the bytes (seeded)', () => {
    let x = 12345
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) >>> 0
      const len = x % 12
      let s = '/'
      for (let k = 0; k < len; k++) {
        x = (x * 1103515245 + 12345) >>> 0
        s += String.fromCharCode(x % 0x10000)
      }
      expect(() => requestPath(s), `seed 12345, case ${i}`).not.toThrow()
    }
  })
})
