import { describe, expect, it } from 'vitest'
import { parseHostArgs } from '../host/hostArgs.js'

describe('the host flags', () => {
  it('with no arguments, stays on this machine', () => {
    expect(parseHostArgs([])).toMatchObject({ port: 8080, signalingPort: 8081, interface: '127.0.0.1', lan: false, mdns: true, mdnsPort: 5353, holdDownMs: 3000, qr: true })
  })

  it('--lan must be said, and excludes --interface', () => {
    expect(parseHostArgs(['--port', '9000', '--lan'])).toMatchObject({ port: 9000, signalingPort: 9001, interface: undefined, lan: true })
    expect(() => parseHostArgs(['--lan', '--interface', '127.0.0.1'])).toThrow(/not both/)
  })

  it('rejects unknown flags and bad numbers', () => {
    expect(() => parseHostArgs(['--bogus'])).toThrow(/unknown argument/)
    expect(() => parseHostArgs(['--port', 'x'])).toThrow(/integer/)
    expect(() => parseHostArgs(['--port'])).toThrow(/needs a value/)
  })
})
