import * as encoding from 'lib0/encoding'
import type { PeerId } from '../ids/ids.js'

/** PBKDF2 iterations by default (OWASP's 2023 figure for PBKDF2-HMAC-SHA-256). */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000

const LABEL = 'sship/secure/v1'

/** The keys a room secret yields for one app; derive once, share by every link. */
export interface RoomKeys {
  /** HKDF base key: the root of every per-link AES-GCM key. Not extractable. */
  readonly master: CryptoKey
  /** HMAC-SHA-256 key of handshake proofs. Not extractable. */
  readonly proof: CryptoKey
}

const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s)

/** Length-prefixed fields, so no two different field lists encode to the same bytes. */
function fields(...parts: ReadonlyArray<string | Uint8Array>): Uint8Array<ArrayBuffer> {
  const e = encoding.createEncoder()
  for (const p of parts) {
    if (typeof p === 'string') encoding.writeVarString(e, p)
    else encoding.writeVarUint8Array(e, p)
  }
  return new Uint8Array(encoding.toUint8Array(e))
}

/**
 * Derives the {@link RoomKeys} of `secret` for app `appName`: PBKDF2-SHA-256 (salt: the app
 * name, so one secret gives unrelated keys in two apps) to a 256-bit master, then HKDF-SHA-256
 * to the proof key. The iterations slow down guessing a weak secret; they do not make one safe.
 */
export async function deriveRoomKeys(secret: string | Uint8Array, appName: string, iterations = DEFAULT_PBKDF2_ITERATIONS): Promise<RoomKeys> {
  const subtle = globalThis.crypto.subtle
  const raw = typeof secret === 'string' ? utf8(secret) : new Uint8Array(secret)
  const password = await subtle.importKey('raw', raw, 'PBKDF2', false, ['deriveBits'])
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: fields(LABEL, appName), iterations }, password, 256)
  const master = await subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey'])
  const proof = await subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: fields(LABEL, 'proof') },
    master,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify']
  )
  return { master, proof }
}

/**
 * What `from` signs to prove to `to` that it holds the secret: both ids in direction order and
 * both nonces, the challenger's (`to`'s) first. The direction makes a reflected proof useless.
 */
function proofInput(from: PeerId, to: PeerId, nonceOfTo: Uint8Array, nonceOfFrom: Uint8Array): Uint8Array<ArrayBuffer> {
  return fields(LABEL, 'proof', from, to, nonceOfTo, nonceOfFrom)
}

/** `from`'s handshake proof for `to`. */
export async function signProof(keys: RoomKeys, from: PeerId, to: PeerId, nonceOfTo: Uint8Array, nonceOfFrom: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', keys.proof, proofInput(from, to, nonceOfTo, nonceOfFrom)))
}

/** Checks (in constant time) a proof that `from` sent to `to`. */
export async function verifyProof(
  keys: RoomKeys, from: PeerId, to: PeerId, nonceOfTo: Uint8Array, nonceOfFrom: Uint8Array, mac: Uint8Array
): Promise<boolean> {
  return globalThis.crypto.subtle.verify('HMAC', keys.proof, new Uint8Array(mac), proofInput(from, to, nonceOfTo, nonceOfFrom))
}

/**
 * The AES-GCM-256 key of direction `from → to` of one link session: HKDF over the master, with
 * both nonces and the session's ephemeral ECDH shared secret as salt and both ids as info. One
 * key per direction, so each direction's counter IVs never meet the other's under the same key.
 * The shared secret is what makes the keys forward-secret: the room secret and the recorded
 * handshake alone do not give them.
 */
export async function deriveLinkKey(
  keys: RoomKeys, from: PeerId, to: PeerId, nonceOfFrom: Uint8Array, nonceOfTo: Uint8Array, shared: Uint8Array
): Promise<CryptoKey> {
  return globalThis.crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: fields(nonceOfFrom, nonceOfTo, shared), info: fields(LABEL, 'data', from, to) },
    keys.master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt']
  )
}
