/**
 * The wire format of {@link SecureTransport}: pure encode/decode functions over bytes, no I/O.
 *
 * Every frame starts with `[SECURE_VERSION, type]`:
 * - `Hello` (1): `nonce[32] echo[32] ephemeral[65]`: our fresh nonce, the last nonce we saw
 *   from the receiver (all zeros if none), so each side can tell whether the other has its
 *   nonce yet, and this handshake's ephemeral ECDH P-256 public key (uncompressed point), whose
 *   shared secret goes into the session keys (forward secrecy).
 * - `Proof` (2): `mac[32]`: HMAC-SHA-256 proof that the sender holds the room secret.
 * - `Data` (3): `counter[8] ciphertext[≥16]`: AES-GCM ciphertext and tag; the first 10 bytes
 *   (version, type, counter) are the associated data, and the counter is the IV.
 * - `Identity` (4), only with peer identities: `ecdh[65] keyLength[2] key signature[1..512]`:
 *   an ephemeral ECDH P-256 share (raw), the sender's identity public key (SPKI, 1..1024 bytes)
 *   and its signature binding the GUID to this session (see `linkIdentity.ts`).
 */

/** Version byte of every secure frame (2: the Hello carries an ephemeral ECDH key). */
export const SECURE_VERSION = 2

/** Types of secure frames. */
export const SecureFrameType = {
  Hello: 1,
  Proof: 2,
  Data: 3,
  Identity: 4
} as const
/** One of {@link SecureFrameType}'s values. */
export type SecureFrameType = (typeof SecureFrameType)[keyof typeof SecureFrameType]

/** Bytes in a handshake nonce. */
export const NONCE_BYTES = 32
/** Bytes of an ephemeral ECDH P-256 public key in raw (uncompressed point) form. */
export const EPHEMERAL_KEY_BYTES = 65
/** Bytes of a Hello frame. */
export const HELLO_BYTES = 2 + 2 * NONCE_BYTES + EPHEMERAL_KEY_BYTES
/** Bytes in a handshake proof (HMAC-SHA-256). */
export const PROOF_BYTES = 32
/** Bytes of a data frame's header: version, type and the 8-byte counter. */
export const DATA_HEADER_BYTES = 10
/** Bytes of an AES-GCM tag. */
export const TAG_BYTES = 16
/** Bytes of a raw uncompressed P-256 public point (an ECDH share). */
export const ECDH_BYTES = 65
/** Largest identity public key in an Identity frame. */
export const MAX_IDENTITY_KEY_BYTES = 1024
/** Largest signature in an Identity frame. */
export const MAX_IDENTITY_SIG_BYTES = 512
/** Counters are JavaScript numbers: a link is good for 2^53 - 1 frames per direction. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER

/** A decoded secure frame. Byte fields are views into the input. */
export type SecureFrame =
  | { readonly type: typeof SecureFrameType.Hello; readonly nonce: Uint8Array; readonly echo: Uint8Array | undefined; readonly ephemeral: Uint8Array }
  | { readonly type: typeof SecureFrameType.Proof; readonly mac: Uint8Array }
  | { readonly type: typeof SecureFrameType.Data; readonly counter: number; readonly header: Uint8Array; readonly ciphertext: Uint8Array }
  | { readonly type: typeof SecureFrameType.Identity; readonly ecdh: Uint8Array; readonly key: Uint8Array; readonly signature: Uint8Array }

/** Encodes an Identity frame. */
export function encodeIdentity(ecdh: Uint8Array, key: Uint8Array, signature: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(2 + ECDH_BYTES + 2 + key.byteLength + signature.byteLength)
  out.set([SECURE_VERSION, SecureFrameType.Identity])
  out.set(ecdh, 2)
  new DataView(out.buffer).setUint16(2 + ECDH_BYTES, key.byteLength)
  out.set(key, 4 + ECDH_BYTES)
  out.set(signature, 4 + ECDH_BYTES + key.byteLength)
  return out
}

function decodeIdentity(data: Uint8Array): SecureFrame | { readonly type: 'malformed'; readonly reason: string } {
  if (data.byteLength < 4 + ECDH_BYTES) return { type: 'malformed', reason: 'an Identity frame is too short' }
  const keyLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint16(2 + ECDH_BYTES)
  const sigLength = data.byteLength - 4 - ECDH_BYTES - keyLength
  if (keyLength < 1 || keyLength > MAX_IDENTITY_KEY_BYTES || sigLength < 1 || sigLength > MAX_IDENTITY_SIG_BYTES) {
    return { type: 'malformed', reason: 'an Identity frame has a bad key or signature length' }
  }
  return {
    type: SecureFrameType.Identity,
    ecdh: data.subarray(2, 2 + ECDH_BYTES),
    key: data.subarray(4 + ECDH_BYTES, 4 + ECDH_BYTES + keyLength),
    signature: data.subarray(4 + ECDH_BYTES + keyLength)
  }
}

/** Encodes a Hello; `echo` undefined is sent as zeros. */
export function encodeHello(nonce: Uint8Array, echo: Uint8Array | undefined, ephemeral: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(HELLO_BYTES)
  out.set([SECURE_VERSION, SecureFrameType.Hello])
  out.set(nonce, 2)
  if (echo !== undefined) out.set(echo, 2 + NONCE_BYTES)
  out.set(ephemeral, 2 + 2 * NONCE_BYTES)
  return out
}

/** Encodes a Proof. */
export function encodeProof(mac: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(2 + PROOF_BYTES)
  out.set([SECURE_VERSION, SecureFrameType.Proof])
  out.set(mac, 2)
  return out
}

/** The 10-byte header of a data frame with `counter`, which is also its associated data. */
export function encodeDataHeader(counter: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(DATA_HEADER_BYTES)
  out.set([SECURE_VERSION, SecureFrameType.Data])
  const view = new DataView(out.buffer)
  view.setUint32(2, Math.floor(counter / 0x1_0000_0000))
  view.setUint32(6, counter >>> 0)
  return out
}

/** The 12-byte AES-GCM IV of `counter`: four zero bytes, then the counter big-endian. */
export function counterIv(counter: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12)
  iv.set(encodeDataHeader(counter).subarray(2), 4)
  return iv
}

/** Concatenates a data header and its ciphertext into one frame. */
export function encodeData(header: Uint8Array, ciphertext: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(header.byteLength + ciphertext.byteLength)
  out.set(header)
  out.set(ciphertext, header.byteLength)
  return out
}

/** Decodes a secure frame, or returns a reason why it is malformed. */
export function decodeSecureFrame(data: Uint8Array): SecureFrame | { readonly type: 'malformed'; readonly reason: string } {
  if (data.byteLength < 2) return { type: 'malformed', reason: `a ${data.byteLength}-byte frame is too short` }
  if (data[0] !== SECURE_VERSION) return { type: 'malformed', reason: `unsupported secure frame version ${data[0]}` }
  switch (data[1]) {
    case SecureFrameType.Hello: {
      if (data.byteLength !== HELLO_BYTES) return { type: 'malformed', reason: 'a Hello has the wrong length' }
      const echo = data.subarray(2 + NONCE_BYTES, 2 + 2 * NONCE_BYTES)
      return {
        type: SecureFrameType.Hello, nonce: data.subarray(2, 2 + NONCE_BYTES), echo: echo.every((b) => b === 0) ? undefined : echo,
        ephemeral: data.subarray(2 + 2 * NONCE_BYTES)
      }
    }
    case SecureFrameType.Proof:
      if (data.byteLength !== 2 + PROOF_BYTES) return { type: 'malformed', reason: 'a Proof has the wrong length' }
      return { type: SecureFrameType.Proof, mac: data.subarray(2) }
    case SecureFrameType.Data: {
      if (data.byteLength < DATA_HEADER_BYTES + TAG_BYTES) return { type: 'malformed', reason: 'a Data frame is shorter than header and tag' }
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
      const counter = view.getUint32(2) * 0x1_0000_0000 + view.getUint32(6)
      if (counter > MAX_COUNTER) return { type: 'malformed', reason: 'a Data frame counter is out of range' }
      return { type: SecureFrameType.Data, counter, header: data.subarray(0, DATA_HEADER_BYTES), ciphertext: data.subarray(DATA_HEADER_BYTES) }
    }
    case SecureFrameType.Identity:
      return decodeIdentity(data)
    default:
      return { type: 'malformed', reason: `unknown secure frame type ${data[1]}` }
  }
}

/** True if `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
