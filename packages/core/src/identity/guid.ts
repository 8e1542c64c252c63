import { digest as sha256 } from 'lib0/hash/sha256'
import { asPeerId, type PeerId } from '../ids/ids.js'

/** Separates a GUID's label from its key fingerprint. */
export const GUID_SEPARATOR = '~'

/** Characters of the fingerprint: 26 base32 characters are 130 bits of SHA-256. */
export const FINGERPRINT_CHARS = 26

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/** RFC 4648 base32, lower case, without padding. */
export function base32(bytes: Uint8Array): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31]
  return out
}

/** The fingerprint of a public key: the first {@link FINGERPRINT_CHARS} base32 characters of its SHA-256. */
export function fingerprint(publicKey: Uint8Array): string {
  return base32(sha256(publicKey)).slice(0, FINGERPRINT_CHARS)
}

/**
 * The self-certifying GUID of `publicKey`: `<label>~<fingerprint>`. The label is for people
 * (it must not contain `~` or `:`); only the fingerprint identifies the peer.
 */
export function identityGuid(label: string, publicKey: Uint8Array): PeerId {
  if (label.includes(GUID_SEPARATOR) || label.includes(':') || label.length > 64) {
    throw new TypeError(`a GUID label must be at most 64 characters without "~" or ":", got ${JSON.stringify(label)}`)
  }
  return asPeerId(`${label}${GUID_SEPARATOR}${fingerprint(publicKey)}`)
}

/** The label of a GUID (the whole GUID if it is not self-certifying). */
export function guidLabel(id: string): string {
  const i = id.lastIndexOf(GUID_SEPARATOR)
  return i < 0 ? id : id.slice(0, i)
}

/** True if `id` is the self-certifying GUID of `publicKey` (any label). */
export function guidMatchesKey(id: PeerId | string, publicKey: Uint8Array): boolean {
  const i = id.lastIndexOf(GUID_SEPARATOR)
  return i >= 0 && id.slice(i + 1) === fingerprint(publicKey)
}
