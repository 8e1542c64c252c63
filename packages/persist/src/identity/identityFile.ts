import { join } from 'node:path'
import { WebCryptoIdentity, type StoredIdentity } from '@sship/core/security'
import { PersistError, PersistErrorCode } from '../errors/PersistError.js'
import { readFileIfExists, replaceFileDurably } from '../fs/durable.js'

/** Name of the file holding the peer's key pair inside a data directory. */
export const IDENTITY_FILE = 'identity.json'

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')
const unb64 = (text: unknown): Uint8Array => {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new TypeError('not base64')
  return new Uint8Array(Buffer.from(text, 'base64'))
}

/**
 * The peer's key pair persisted in `dir` (see `PeerOptions.identity`), created once: read from
 * `dir/identity.json` if it exists, otherwise a new ECDSA P-256 key pair labelled `label` is
 * generated, written durably (PKCS #8 and SPKI in base64) and returned. Its GUID,
 * `<label>~<fingerprint>`, is the same after every restart. The file holds a private key: keep
 * the directory private. A file that holds no valid key pair throws {@link PersistError}
 * `bad-peer-id`.
 */
export async function loadOrCreateIdentity(dir: string, label: string): Promise<WebCryptoIdentity> {
  const path = join(dir, IDENTITY_FILE)
  const text = readFileIfExists(path)?.toString('utf8')
  if (text === undefined) {
    const identity = await WebCryptoIdentity.generate(label, { extractable: true })
    const stored = await identity.export()
    const json = JSON.stringify({ label: stored.label, privateKey: b64(stored.privateKey), publicKey: b64(stored.publicKey) })
    replaceFileDurably(dir, path, new TextEncoder().encode(`${json}\n`))
    return identity
  }
  try {
    const parsed = JSON.parse(text) as { label?: unknown; privateKey?: unknown; publicKey?: unknown }
    if (typeof parsed.label !== 'string') throw new TypeError('no label')
    const stored: StoredIdentity = { label: parsed.label, privateKey: unb64(parsed.privateKey), publicKey: unb64(parsed.publicKey) }
    return await WebCryptoIdentity.import(stored)
  } catch (cause) {
    throw new PersistError(PersistErrorCode.BadPeerId, `${path} does not hold a peer key pair`, { cause })
  }
}
