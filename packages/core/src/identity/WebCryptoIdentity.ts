import type { PeerId } from '../ids/ids.js'
import { base32, identityGuid } from './guid.js'
import type { PeerIdentity, SignatureVerifier } from './PeerIdentity.js'

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const

/** A copy on a plain ArrayBuffer (WebCrypto's types refuse views that may be shared). */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes)

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle
  if (s === undefined) throw new TypeError('WebCrypto (globalThis.crypto.subtle) is not available: use Node 20+ or a secure browser context')
  return s
}

/** A key pair as stored (e.g. by `@sship/persist`): the label and both keys as bytes. */
export interface StoredIdentity {
  readonly label: string
  /** The private key, PKCS #8. */
  readonly privateKey: Uint8Array
  /** The public key, SPKI. */
  readonly publicKey: Uint8Array
}

/**
 * Verifies ECDSA P-256 / SHA-256 signatures (IEEE P1363, 64 bytes) with WebCrypto, in Node 20+
 * and browsers. Imported public keys are cached.
 */
export class WebCryptoVerifier implements SignatureVerifier {
  private readonly keys = new Map<string, Promise<CryptoKey>>()

  /** See {@link SignatureVerifier.verify}. */
  async verify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    const id = base32(publicKey)
    let key = this.keys.get(id)
    if (key === undefined) {
      key = subtle().importKey('spki', own(publicKey), ALGORITHM, false, ['verify'])
      // A bad key is not cached: the next attempt fails again, cheaply.
      key.catch(() => this.keys.delete(id))
      this.keys.set(id, key)
    }
    return subtle().verify(SIGN, await key, own(signature), own(data))
  }
}

/** One verifier for every identity of this process (its key cache is shared). */
export const webCryptoVerifier: SignatureVerifier = new WebCryptoVerifier()

/**
 * A peer identity on a WebCrypto ECDSA P-256 key pair. The private key is a non-extractable
 * `CryptoKey` unless the identity was created with `extractable: true` (to store it).
 */
export class WebCryptoIdentity implements PeerIdentity {
  readonly verifier: SignatureVerifier = webCryptoVerifier

  private constructor(
    readonly id: PeerId,
    readonly label: string,
    readonly publicKey: Uint8Array,
    private readonly privateKey: CryptoKey
  ) {}

  /**
   * A fresh key pair and its GUID `<label>~<fingerprint>`. `extractable: true` lets
   * {@link WebCryptoIdentity.export} store it (Node peers that persist their GUID).
   */
  static async generate(label: string, options: { extractable?: boolean } = {}): Promise<WebCryptoIdentity> {
    const pair = await subtle().generateKey(ALGORITHM, options.extractable ?? false, ['sign', 'verify'])
    const spki = new Uint8Array(await subtle().exportKey('spki', pair.publicKey))
    return new WebCryptoIdentity(identityGuid(label, spki), label, spki, pair.privateKey)
  }

  /** The identity stored by {@link WebCryptoIdentity.export}. */
  static async import(stored: StoredIdentity): Promise<WebCryptoIdentity> {
    const privateKey = await subtle().importKey('pkcs8', own(stored.privateKey), ALGORITHM, true, ['sign'])
    return new WebCryptoIdentity(identityGuid(stored.label, stored.publicKey), stored.label, stored.publicKey, privateKey)
  }

  /** Signs `data` (ECDSA P-256 with SHA-256; 64 bytes). */
  async sign(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await subtle().sign(SIGN, this.privateKey, own(data)))
  }

  /** The key pair as bytes, to store; fails unless the identity was generated `extractable`. */
  async export(): Promise<StoredIdentity> {
    const privateKey = new Uint8Array(await subtle().exportKey('pkcs8', this.privateKey))
    return { label: this.label, privateKey, publicKey: this.publicKey }
  }
}

/** Shorthand for {@link WebCryptoIdentity.generate}. */
export function createIdentity(label: string, options: { extractable?: boolean } = {}): Promise<WebCryptoIdentity> {
  return WebCryptoIdentity.generate(label, options)
}
