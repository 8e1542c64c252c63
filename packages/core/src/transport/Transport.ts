import type { PeerId } from '../ids/ids.js'

/**
 * What a transport reports to the peer that owns it. Handlers must not throw; the peer never
 * throws out of them either (errors go to the peer's error events).
 */
export interface TransportEvents {
  /** A link to `peer` is up: frames can now be sent to it. */
  peerJoined(peer: PeerId): void
  /** The link to `peer` is down (closed, or known to be broken). A crash may never report this. */
  peerLeft(peer: PeerId): void
  /** A frame arrived from `peer`. The bytes are owned by the receiver from now on. */
  frame(from: PeerId, data: Uint8Array): void
  /**
   * A link was refused (optional): a transport that admits peers (e.g. `SecureTransport`, on a
   * failed proof or a handshake that timed out) reports it once per refused link, never per frame.
   */
  refused?(peer: PeerId | undefined, code: string, message: string): void
}

/**
 * The narrow interface between a peer and the network, scoped to one app. Implementations:
 * the in-memory network (`@sship/core/testing`), WebSocket + mDNS for Node, y-webrtc for
 * browsers. `@sship/core` never imports a concrete transport.
 *
 * Contract (checked by `runTransportTests` in `@sship/core/testing`):
 * - frames between two peers arrive whole, or not at all; order is not guaranteed;
 * - `send` to a peer that is not joined is silently dropped (never throws);
 * - `close` is idempotent, stops all events and reports nothing more.
 */
export interface Transport {
  /** The GUID of the local peer. */
  readonly localPeer: PeerId
  /** Starts the transport; `events` receives everything from now until `close`. */
  connect(events: TransportEvents): void
  /** Sends one frame to one peer. Best effort. */
  send(to: PeerId, data: Uint8Array): void
  /** The peers currently joined. */
  peers(): ReadonlySet<PeerId>
  /** Stops the transport, telling connected peers goodbye where the medium allows it. */
  close(): void
}
