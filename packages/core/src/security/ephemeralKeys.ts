/** An ephemeral ECDH key pair of one handshake: the private key is not extractable and is dropped with the handshake. */
export interface EphemeralKey {
  readonly privateKey: CryptoKey
  /** The public key as a raw uncompressed P-256 point (65 bytes), as sent in the Hello. */
  readonly publicRaw: Uint8Array
}

/** A fresh ECDH P-256 key pair (WebCrypto, in Node and every browser). */
export async function newEphemeralKey(): Promise<EphemeralKey> {
  const subtle = globalThis.crypto.subtle
  const pair = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])
  return { privateKey: pair.privateKey, publicRaw: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)) }
}

/**
 * The 32-byte ECDH shared secret of our `key` and the peer's raw public key. Rejects if the
 * peer's key is not a valid P-256 point.
 */
export async function ephemeralShared(key: EphemeralKey, peerPublicRaw: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle
  const peer = await subtle.importKey('raw', new Uint8Array(peerPublicRaw), { name: 'ECDH', namedCurve: 'P-256' }, false, [])
  return new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: peer }, key.privateKey, 256))
}
