import type { BackoffOptions, Clock, PeerId, Random } from '@sship/core'
import type { PeerDirectory } from '../discovery/PeerDirectory.js'
import type { LinkBudget } from './LinkBudget.js'

/** Options of a {@link LanTransport}. */
export interface LanTransportOptions {
  /** The app this transport serves; links to peers of another app are refused. */
  readonly app: string
  /** The local peer's GUID. */
  readonly peerId: PeerId
  /** Address the WebSocket server binds to. Default `127.0.0.1`; use the LAN address (or `0.0.0.0`) to be reachable. */
  readonly host?: string
  /** WebSocket server port. Default 0 (an ephemeral port; see {@link LanTransport.listen}). */
  readonly port?: number
  /** Run a server at all. Default true; false makes a dial-only client (e.g. `sship status`). */
  readonly listen?: boolean
  /** Static peers, `host:port` each, dialed without discovery. */
  readonly peers?: readonly string[]
  /** Where to find peers (e.g. an {@link MdnsDiscovery}); the transport starts and closes it. */
  readonly directory?: PeerDirectory
  /** Time source for every timer. Default the system clock. */
  readonly clock?: Clock
  /** Randomness for backoff jitter and the session id. Default WebCrypto. */
  readonly random?: Random
  /** Redial backoff. Default 100 ms doubling up to 5 s, with jitter. */
  readonly backoff?: Partial<BackoffOptions>
  /** Failed dials in a row after which a discovered peer is reported gone to the directory. Default 5. */
  readonly maxDialFailures?: number
  /** How long the larger GUID waits for the smaller to dial before it dials itself. Default 2000 ms. */
  readonly fallbackDialMs?: number
  /** Longest wait for the hello. Default 5000 ms. */
  readonly handshakeTimeoutMs?: number
  /** WebSocket ping interval; a link without a pong by the next ping is destroyed. 0 disables. Default 5000 ms. */
  readonly keepaliveMs?: number
  /** Per-link and per-server limits (send queue, frame rate, sockets). Default {@link DEFAULT_LINK_BUDGET}. */
  readonly budget?: Partial<LinkBudget>
  /** Largest frame accepted. Default 16 MiB (core's default) plus room for the hello. */
  readonly maxFrameBytes?: number
  /** The protocol version to announce in hellos. Default `PROTOCOL_VERSION` (override only to test mismatches). */
  readonly protocolVersion?: number
  /** Socket errors, refused handshakes, directory failures. The transport keeps running. */
  readonly onError?: (error: Error, peer: PeerId | undefined) => void
}

/** Lifecycle of a {@link LanTransport}. */
export const LanTransportState = {
  /** Created; `listen` may have been called; `connect` not yet (inbound hellos are refused "not ready"). */
  Idle: 'idle',
  /** Connected: dials, accepts, reports events. */
  Up: 'up',
  /** Closed. Final. */
  Closed: 'closed'
} as const
/** One of {@link LanTransportState}'s values. */
export type LanTransportState = (typeof LanTransportState)[keyof typeof LanTransportState]
