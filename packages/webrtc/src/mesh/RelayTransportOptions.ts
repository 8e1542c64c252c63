import type { Clock, PeerId, Transport } from '@sship/core'

/** Options of a {@link RelayTransport}. */
export interface RelayTransportOptions {
  /** The links: any transport (WebRTC, LAN, in-memory), typically with a capped number of peers. */
  readonly inner: Transport
  /** Timers for the periodic link-state refresh. Default: the system clock. */
  readonly clock?: Clock
  /**
   * Orders this peer's restarts: must grow from one run of the same peer to the next. Default:
   * the wall-clock time at construction (ms). Seeded tests pass their own.
   */
  readonly incarnation?: number
  /** Hop limit of relayed frames. Default 8 (a capped random mesh of 60 has a diameter of 2–3). */
  readonly ttl?: number
  /**
   * Compare link-state databases with each neighbour this often (a 4-byte hash; on a mismatch
   * the whole database is swapped), in case a flooded advertisement was lost. Default 5000 ms; 0 disables.
   */
  readonly refreshMs?: number
  /**
   * Runs `fn` after the current burst of `send` calls, so that a frame sent to many peers in one
   * go (a heartbeat, a sync update) travels once down a tree instead of once per peer.
   * Default `queueMicrotask`; a simulation under virtual time passes a zero-delay timer.
   */
  readonly defer?: (fn: () => void) => void
  /** Bound on remembered peers (link-state entries and broadcast dedup windows). Default 1024. */
  readonly maxPeers?: number
  /** Frames that cannot be decoded or routed; the transport keeps running. */
  readonly onError?: (error: Error, from: PeerId | undefined) => void
}

/** Counters of a {@link RelayTransport}. */
export interface RelayStats {
  /** Frames handed to the inner transport, by mesh frame kind. */
  readonly sent: { direct: number; unicast: number; broadcast: number; links: number }
  /** Frames forwarded for others (unicast and broadcast). */
  forwarded: number
  /** Broadcast copies dropped as duplicates. */
  duplicates: number
  /** Frames dropped: no route, hop limit reached, or undecodable. */
  dropped: number
}
