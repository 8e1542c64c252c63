import { digest as sha256 } from 'lib0/hash/sha256'
import { base32, identityGuid } from '../identity/guid.js'
import type { PeerIdentity, SignatureVerifier } from '../identity/PeerIdentity.js'
import type { Random } from '../random/Random.js'

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

const KEY_TAG = new TextEncoder().encode('sship/sim-key')

/**
 * A deterministic, synchronous stand-in for real signatures in seeded simulations: each
 * identity's "private key" is 32 seeded random bytes, its public key their SHA-256, and a
 * signature SHA-256(private ‖ data). Only this keyring can verify (it looks the private key up
 * by public key), so it models an ideal signature scheme among the identities it issued:
 * nobody without the private key can produce a signature that verifies. Same seed, same keys,
 * same runs. Never use it outside tests.
 */
export class SimulatedKeyring implements SignatureVerifier {
  private readonly secrets = new Map<string, Uint8Array>()

  constructor(private readonly random: Random) {}

  /** A fresh identity `<label>~<fingerprint>`. */
  identity(label: string): PeerIdentity {
    const secret = new Uint8Array(32)
    for (let i = 0; i < secret.length; i++) secret[i] = Math.floor(this.random.next() * 256)
    const publicKey = new Uint8Array(sha256(concat(KEY_TAG, secret)))
    this.secrets.set(base32(publicKey), secret)
    return {
      id: identityGuid(label, publicKey),
      publicKey,
      verifier: this,
      sign: (data) => new Uint8Array(sha256(concat(secret, data)))
    }
  }

  /** See {@link SignatureVerifier.verify}. */
  verify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    const secret = this.secrets.get(base32(publicKey))
    if (secret === undefined) return false
    const expected = sha256(concat(secret, data))
    return expected.byteLength === signature.byteLength && expected.every((b, i) => b === signature[i])
  }
}
