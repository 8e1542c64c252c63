import { mkdtempSync, chmodSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDocLog } from '@sship/persist'
import { describe, expect, it } from 'vitest'
import { explainError, userPath } from '../src/cli/explainError.js'
import { readRoomSecret } from '../src/cli/roomSecret.js'

describe('start-up messages that name the cause and the fix', () => {
  it('a busy port names the flag that moves it', async () => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    const port = (busy.address() as { port: number }).port
    const second = createServer()
    const error = await new Promise<Error>((resolve) => {
      second.once('error', resolve)
      second.listen(port, '127.0.0.1')
    })
    busy.close()
    expect(explainError(error, { ports: [{ port, flag: '--signaling-port', what: 'the signaling server' }] }))
      .toBe(`port ${port} on 127.0.0.1 (the signaling server) is in use by another program: pick another with --signaling-port N, or stop what uses it`)
  })

  it.skipIf(process.getuid?.() === 0)('a read-only --data-dir says read-only (not ENOENT)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sship-ro-'))
    try {
      chmodSync(dir, 0o500)
      let caught: unknown
      try {
        openDocLog(join(dir, 'data')).close()
      } catch (error) {
        caught = error
      }
      expect(explainError(caught, { dataDir: join(dir, 'data') })).toMatch(/is read-only \(EACCES/)
    } finally {
      chmodSync(dir, 0o700)
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a missing secret file says how to create one', () => {
    expect(() => readRoomSecret({ from: 'file', path: '/nonexistent/room.key' }, () => undefined)).toThrow(/does not exist\. Create it once .*randomBytes.*chmod 600/)
  })

  it('resolves relative paths against the directory the user ran npm in', () => {
    expect(userPath('room.key', { INIT_CWD: '/home/ta' })).toBe('/home/ta/room.key')
    expect(userPath('/etc/room.key', { INIT_CWD: '/home/ta' })).toBe('/etc/room.key')
  })
})
