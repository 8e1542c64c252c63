import type { PeerId } from '../ids/ids.js'

/**
 * Why a link went down, when the transport can tell. `closed`: the other end closed it, or its
 * operating system did (a killed process's TCP and WebSocket links close at once): evidence that
 * the peer is gone. `silent`: this end gave up on a link that stayed silent (a keepalive or an
 * ICE timeout): the peer may well be alive, and this peer may be the one cut off.
 */
export type LeaveReason = 'closed' | 'silent'

/**
 * What a transport reports to the peer that owns it. Handlers must not throw; the peer never
 * throws out of them either (errors go to the peer's error events).
 */
export interface TransportEvents {
  /** A link to `peer` is up: frames can now be sent to it. */
  peerJoined(peer: PeerId): void
  /**
   * The link to `peer` is down (closed, or known to be broken). A crash may never report this.
   * `reason`, when the transport knows it, tells a closed link from one given up for silence;
   * without it the link counts as closed.
   */
  peerLeft(peer: PeerId, reason?: LeaveReason): void
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
  /**
   * True when a peer whose process dies is reported `peerLeft` promptly with reason `closed`
   * (its operating system closes its TCP or WebSocket links at once). Then silence on a link that
   * is still open more likely means a paused process (SIGSTOP, a starved laptop) than a dead one,
   * and the coordinator gives such silence `timing.stallMs` before it suspects. Default false.
   */
  readonly closesOnCrash?: boolean
  /** Stops the transport, telling connected peers goodbye where the medium allows it. */
  close(): void
}
