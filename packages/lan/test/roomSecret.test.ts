import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { UsageError } from '../src/cli/cliArgs.js'
import { readRoomSecret } from '../src/cli/roomSecret.js'

describe('readRoomSecret', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  const file = (content: string, mode: number): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sship-secret-'))
    dirs.push(dir)
    const path = join(dir, 'secret')
    writeFileSync(path, content, { mode })
    return path
  }

  it('reads a file without its trailing newline and warns when others can read it', () => {
    const warnings: string[] = []
    expect(readRoomSecret({ from: 'file', path: file('abc def\n', 0o600) }, (m) => warnings.push(m))).toBe('abc def')
    expect(warnings).toEqual([])
    expect(readRoomSecret({ from: 'file', path: file('xyz\r\n', 0o644) }, (m) => warnings.push(m))).toBe('xyz')
    expect(warnings).toEqual([expect.stringMatching(/readable by other users; chmod 600/)])
  })

  it('refuses a missing or empty file and an empty variable with a UsageError', () => {
    expect(() => readRoomSecret({ from: 'file', path: '/nonexistent/sship.secret' }, () => undefined)).toThrow(/--secret-file \/nonexistent\/sship.secret does not exist\. Create it once/)
    expect(() => readRoomSecret({ from: 'file', path: file('\n', 0o600) }, () => undefined)).toThrow(/is empty/)
    expect(() => readRoomSecret({ from: 'env', value: '' }, () => undefined)).toThrow(UsageError)
  })
})
