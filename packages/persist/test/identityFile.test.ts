/** `loadOrCreateIdentity` (@sship/persist): a Node peer keeps its key pair, so its GUID, across restarts. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { guidLabel, webCryptoVerifier } from '@sship/core/security'
import { IDENTITY_FILE, loadOrCreateIdentity } from '../src/index.js'

const dirs: string[] = []
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sship-identity-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('loadOrCreateIdentity', () => {
  it('creates a key pair once and loads the same GUID and key afterwards', async () => {
    const dir = tempDir()
    const first = await loadOrCreateIdentity(dir, 'node')
    const again = await loadOrCreateIdentity(dir, 'ignored-once-stored')
    expect(guidLabel(first.id)).toBe('node')
    expect(again.id).toBe(first.id)
    const data = new TextEncoder().encode('x')
    expect(await webCryptoVerifier.verify(first.publicKey, data, await again.sign(data))).toBe(true)
  })

  it('refuses a file that holds no key pair with a typed error', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, IDENTITY_FILE), '{"label":"x","privateKey":"AAAA","publicKey":"AAAA"}\n')
    await expect(loadOrCreateIdentity(dir, 'x')).rejects.toMatchObject({ code: 'bad-peer-id' })
    writeFileSync(join(dir, IDENTITY_FILE), 'not json')
    await expect(loadOrCreateIdentity(dir, 'x')).rejects.toMatchObject({ code: 'bad-peer-id' })
  })
})
