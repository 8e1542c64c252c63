import type { PeerId } from '../ids/ids.js'

/**
 * Checks signatures. Verification may be synchronous (the deterministic simulation) or
 * asynchronous (WebCrypto); sship caches every result, so each signature is checked once.
 */
export interface SignatureVerifier {
  /** True if `signature` is a valid signature of `data` under `publicKey` (SPKI bytes for WebCrypto). */
  verify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>
}

/**
 * A peer's own key pair and the GUID bound to it. The GUID is self-certifying:
 * `<label>~<fingerprint of publicKey>` (see {@link identityGuid}), so anyone can check that a
 * public key belongs to a GUID without trusting anyone. Pass it as `PeerOptions.identity`; the
 * transport's `localPeer` must be `id`.
 */
export interface PeerIdentity {
  /** This peer's GUID, `<label>~<fingerprint>`. */
  readonly id: PeerId
  /** The public key whose fingerprint is in {@link PeerIdentity.id}. */
  readonly publicKey: Uint8Array
  /** Signs `data` with the private key (never leaves this object). */
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>
  /** Verifies other peers' signatures; every peer of an app must use the same scheme. */
  readonly verifier: SignatureVerifier
}
