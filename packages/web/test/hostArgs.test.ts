import { describe, expect, it } from 'vitest'
import { parseHostArgs } from '../src/host/hostArgs.js'

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
    expect(parseHostArgs([]).mode).toBe('availability')
    expect(parseHostArgs(['--mode', 'quorum']).mode).toBe('quorum')
    expect(() => parseHostArgs(['--mode', 'majority'])).toThrow(/--mode must be availability or quorum/)
    expect(() => parseHostArgs(['--port', 'x'])).toThrow(/integer/)
    expect(() => parseHostArgs(['--port'])).toThrow(/needs a value/)
  })
})

describe('the room secret', () => {
  it('is read from SSHIP_SECRET, or from --secret-file, which is created with a random secret when missing', async () => {
    const { mkdtempSync, readFileSync, statSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { loadRoomSecret } = await import('../src/host/roomSecret.js')
    const dir = mkdtempSync(`${tmpdir()}/sship-secret-`)
    expect(parseHostArgs(['--secret-file', `${dir}/room.key`]).secretFile).toBe(`${dir}/room.key`)
    expect(loadRoomSecret(undefined, {})).toBeUndefined()
    const created = loadRoomSecret(`${dir}/room.key`, {})
    expect(created?.source).toBe('created')
    expect(created?.secret).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(statSync(`${dir}/room.key`).mode & 0o777).toBe(0o600)
    // The same file gives the same secret (a restarted host rejoins its room); a second random one differs.
    expect(loadRoomSecret(`${dir}/room.key`, {})).toEqual({ secret: created?.secret, source: 'file' })
    expect(readFileSync(`${dir}/room.key`, 'utf8').trim()).toBe(created?.secret)
    expect(loadRoomSecret(`${dir}/other.key`, {})?.secret).not.toBe(created?.secret)
    expect(loadRoomSecret(`${dir}/room.key`, { SSHIP_SECRET: 'from-the-environment' })).toEqual({ secret: 'from-the-environment', source: 'env' })
    writeFileSync(`${dir}/short.key`, 'abc\n')
    expect(() => loadRoomSecret(`${dir}/short.key`, {})).toThrow(/has 3 characters; use at least 16/)
  })
})
