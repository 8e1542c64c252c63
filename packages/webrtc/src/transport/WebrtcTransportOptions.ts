import type { BackoffOptions, Clock, PeerId, Random } from '@sship/core'
import type { CandidateFilter } from '../ice/candidateFilter.js'
import type { SignalingSocketConstructor } from '../signaling/SignalingSocket.js'

/** Options of a {@link WebrtcTransport}. */
export interface WebrtcTransportOptions {
  /** This peer's GUID; also its peer id in signaling (y-webrtc's `from`). */
  readonly peerId: PeerId
  /** The room: the signaling topic, one per app. Use the app's name. */
  readonly room: string
  /**
   * Signaling server URLs (`ws:` or `wss:`), any y-webrtc-compatible server (e.g. a
   * {@link SignalingServer} run by any Node peer). All are kept connected and redialed with
   * bounded backoff; peers that share any one of them find each other, and open links do not
   * need signaling at all.
   */
  readonly signaling: readonly string[]
  /**
   * The room password, as y-webrtc's `password` option: signaling payloads are AES-GCM-encrypted
   * under a key derived from it (PBKDF2, the room as salt), so only peers with the same password
   * (sship or stock y-webrtc) find each other. Messages that do not decrypt are dropped and
   * reported to `onError` (code `bad-password`). Empty or undefined: no password.
   */
  readonly password?: string
  /** ICE servers (STUN/TURN). Default `[]`: host candidates only, nothing is contacted. */
  readonly iceServers?: readonly RTCIceServer[]
  /** A WebRTC implementation for Node, e.g. the default export of `@roamhq/wrtc`. Browsers need none. */
  readonly wrtc?: object
  /** The WebSocket constructor for signaling. Default `globalThis.WebSocket`; on Node 20 pass `WebSocket` from `ws`. */
  readonly WebSocket?: SignalingSocketConstructor
  /** Which ICE candidate addresses to offer and accept. Default: all. Tests pass `loopbackOnly`. */
  readonly allowCandidate?: CandidateFilter
  /** Time source and timers. Default: the system clock. */
  readonly clock?: Clock
  /** Randomness for backoff jitter and glare tokens. Default: WebCrypto. */
  readonly random?: Random
  /** Signaling redial backoff. Default 100 ms doubling to 5 s. */
  readonly backoff?: Partial<BackoffOptions>
  /** Signaling keepalive interval. Default 10 s. */
  readonly pingIntervalMs?: number
  /** A link not open after this long is dropped and tried again. Default 15 s. */
  readonly connectTimeoutMs?: number
  /** Largest data-channel message body. Default 16 KiB (what every browser accepts). */
  readonly chunkBytes?: number
  /** Largest incoming frame accepted. Default 16 MiB (the core's default frame limit). */
  readonly maxFrameBytes?: number
  /** Errors on links and in signaling; the transport keeps running. */
  readonly onError?: (error: Error, peer: PeerId | undefined) => void
}
