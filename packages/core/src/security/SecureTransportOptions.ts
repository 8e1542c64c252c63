import type { Clock } from '../clock/Clock.js'
import type { PeerIdentity } from '../identity/PeerIdentity.js'
import type { PeerId } from '../ids/ids.js'
import type { SecurityError } from './SecurityError.js'

/** Options of a {@link SecureTransport}. */
export interface SecureTransportOptions {
  /** The room secret every member shares. Never sent; use a high-entropy one (see docs/security.md). */
  readonly secret: string | Uint8Array
  /** The app's name: keys of one secret differ per app. */
  readonly appName: string
  /** Receives every refused handshake or frame, with the peer it came from; the link keeps serving. */
  readonly onError?: (error: SecurityError, peer: PeerId | undefined) => void
  /** PBKDF2 iterations (default {@link DEFAULT_PBKDF2_ITERATIONS}); all members must agree. Tests use fewer. */
  readonly iterations?: number
  /**
   * How many counters below the highest accepted one may still arrive, once each (default 64).
   * 0 is strict in-order: right for LAN and WebRTC, which are ordered; a reordering inner
   * transport needs a window larger than its worst reordering, or frames are refused as replays.
   */
  readonly replayWindow?: number
  /** Source of handshake nonces (default WebCrypto's `getRandomValues`). Must be unpredictable. */
  readonly randomBytes?: (length: number) => Uint8Array
  /** Timers of handshake retransmission (default the system clock; tests pass a virtual one). */
  readonly clock?: Clock
  /** First wait before a handshake's Hello (and proof) is sent again; it doubles up to 8×. Default 500 ms. */
  readonly handshakeRetryMs?: number
  /** Retransmissions before a handshake is given up as `handshake-timeout`. Default 8 (about 25 s). */
  readonly handshakeRetries?: number
  /**
   * This peer's key pair (`PeerOptions.identity`; the inner transport's `localPeer` must be its
   * id). Adds an identity step to the handshake: a peer is reported joined only if it proves the
   * key of its GUID with a signature over both GUIDs, both nonces and its ephemeral ECDH key, so
   * the ephemeral keys (and with them the session keys) are bound to the two GUIDs: another
   * member can neither impersonate a GUID nor sit in the middle of a link. Every member must set
   * it. See docs/security.md.
   */
  readonly identity?: PeerIdentity
}
