import * as buffer from 'lib0/buffer'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebrtcError, WebrtcErrorCode } from '../errors/WebrtcError.js'

/**
 * Room passwords as y-webrtc 10 uses them, written over WebCrypto and lib0 so that an sship peer
 * and a stock y-webrtc provider with the same password read each other's signaling:
 *
 * - key: PBKDF2-SHA-256 over the UTF-8 password, salt the UTF-8 room name, 100,000 iterations,
 *   to an AES-GCM-256 key;
 * - sealed message: lib0 `varString("AES-GCM") varUint8Array(iv: 12 random bytes)
 *   varUint8Array(ciphertext with its tag)`;
 * - JSON payloads (signaling `data`) are lib0 `writeAny`-encoded, sealed, then base64 text.
 *
 * The salt is the room name only, so the same password in two rooms gives unrelated keys, but
 * the iterations are few by today's standards: a room password keeps strangers out of the
 * signaling of a room, it does not make a weak password safe.
 */
export const ROOM_PBKDF2_ITERATIONS = 100_000

/** The algorithm name written in front of every sealed message. */
const ALGORITHM = 'AES-GCM'
const IV_BYTES = 12

/** The outcome of opening a sealed message: never a thrown error. */
export type OpenResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: WebrtcError }

const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s)
/** A copy on a fresh ArrayBuffer, the only kind WebCrypto's types accept. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes)
const fail = <T>(code: WebrtcErrorCode, message: string, cause?: unknown): OpenResult<T> =>
  ({ ok: false, error: new WebrtcError(code, message, cause === undefined ? undefined : { cause }) })

/** Derives the AES-GCM key of `password` in room `room` (y-webrtc's `deriveKey`). Slow on purpose: derive once per room. */
export async function deriveRoomKey(password: string, room: string): Promise<CryptoKey> {
  const subtle = globalThis.crypto.subtle
  const material = await subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveKey'])
  return subtle.deriveKey(
    { name: 'PBKDF2', salt: utf8(room), iterations: ROOM_PBKDF2_ITERATIONS, hash: 'SHA-256' },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt']
  )
}

/**
 * Seals `data` under `key` with a fresh IV. The IV comes from WebCrypto's generator, not from
 * an injected `Random`: a repeated IV under one AES-GCM key gives the key away, so it must never
 * be replayable by seed.
 */
export async function sealBytes(data: Uint8Array, key: CryptoKey): Promise<Uint8Array> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const cipher = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: ALGORITHM, iv }, key, own(data)))
  const encoder = encoding.createEncoder()
  encoding.writeVarString(encoder, ALGORITHM)
  encoding.writeVarUint8Array(encoder, iv)
  encoding.writeVarUint8Array(encoder, cipher)
  return encoding.toUint8Array(encoder)
}

/** Opens what {@link sealBytes} sealed. Anything else (another key, tampered or plain bytes) gives a `bad-password` error. */
export async function openBytes(sealed: Uint8Array, key: CryptoKey): Promise<OpenResult<Uint8Array>> {
  let iv: Uint8Array
  let cipher: Uint8Array
  try {
    const decoder = decoding.createDecoder(sealed)
    if (decoding.readVarString(decoder) !== ALGORITHM) return fail(WebrtcErrorCode.BadPassword, 'not a sealed message (no AES-GCM header)')
    iv = decoding.readVarUint8Array(decoder)
    cipher = decoding.readVarUint8Array(decoder)
  } catch (cause) {
    return fail(WebrtcErrorCode.BadPassword, 'not a sealed message (truncated header)', cause)
  }
  if (iv.byteLength !== IV_BYTES) return fail(WebrtcErrorCode.BadPassword, `not a sealed message (IV of ${iv.byteLength} bytes)`)
  try {
    const plain = await globalThis.crypto.subtle.decrypt({ name: ALGORITHM, iv: own(iv) }, key, own(cipher))
    return { ok: true, value: new Uint8Array(plain) }
  } catch (cause) {
    return fail(WebrtcErrorCode.BadPassword, 'a message did not decrypt with the room password (another password, or tampered)', cause)
  }
}

/** Seals a JSON-like value for a signaling `publish` (y-webrtc's `encryptJson` and base64). */
export async function sealJson(value: unknown, key: CryptoKey): Promise<string> {
  const encoder = encoding.createEncoder()
  encoding.writeAny(encoder, value as Parameters<typeof encoding.writeAny>[1])
  return buffer.toBase64(await sealBytes(encoding.toUint8Array(encoder), key))
}

/** Opens the `data` of a signaling `publish` sealed by {@link sealJson} (or by y-webrtc); plain data gives `bad-password`. */
export async function openJson(data: unknown, key: CryptoKey): Promise<OpenResult<unknown>> {
  if (typeof data !== 'string') return fail(WebrtcErrorCode.BadPassword, 'a plain signaling message in a room that has a password')
  let bytes: Uint8Array
  try {
    bytes = buffer.fromBase64(data)
  } catch (cause) {
    return fail(WebrtcErrorCode.BadPassword, 'signaling data is not base64', cause)
  }
  const opened = await openBytes(bytes, key)
  if (!opened.ok) return opened
  try {
    return { ok: true, value: decoding.readAny(decoding.createDecoder(opened.value)) }
  } catch (cause) {
    return fail(WebrtcErrorCode.BadPassword, 'a decrypted signaling message is not lib0-encoded', cause)
  }
}

/** Whether `bytes` start like a sealed message: how a peer without a password recognizes one that has one. */
export function looksSealed(bytes: Uint8Array): boolean {
  try {
    return decoding.readVarString(decoding.createDecoder(bytes)) === ALGORITHM
  } catch {
    return false
  }
}
