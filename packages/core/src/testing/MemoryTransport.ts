import type { PeerId } from '../ids/ids.js'
import type { Transport, TransportEvents } from '../transport/Transport.js'

/** Lifecycle of a {@link MemoryTransport}. */
export const MemoryTransportState = {
  /** Created by `network.transport(peer)`; `connect` not called yet. */
  Idle: 'idle',
  /** Connected: joined the network, sends and receives. */
  Up: 'up',
  /** `close()` was called: the others were told goodbye. Final. */
  Closed: 'closed',
  /** `network.crash(peer)` was called: vanished without goodbye. Final. */
  Crashed: 'crashed'
} as const
/** One of {@link MemoryTransportState}'s values. */
export type MemoryTransportState = (typeof MemoryTransportState)[keyof typeof MemoryTransportState]

/**
 * What a {@link MemoryTransport} delegates every call to: its {@link MemoryNetwork}, which keeps
 * all state so that crash, partition and restart can act on any peer.
 * @internal
 */
export interface MemoryTransportHost {
  connect(transport: MemoryTransport, events: TransportEvents): void
  send(transport: MemoryTransport, to: PeerId, data: Uint8Array): void
  peers(transport: MemoryTransport): ReadonlySet<PeerId>
  close(transport: MemoryTransport): void
  state(transport: MemoryTransport): MemoryTransportState
  /** The network's `closesOnCrash` option. */
  readonly closesOnCrash: boolean
}

/**
 * One peer's {@link Transport} on a {@link MemoryNetwork}. Get one from
 * `network.transport(peer)` (or `network.restart(peer)`); a transport is single-use: once
 * closed or crashed, make a fresh one for the same peer id to bring the peer back.
 *
 * Beyond the {@link Transport} contract: `connect` throws if called twice or after the
 * transport was closed or crashed (a test bug, not a network condition); `peers()` is the set
 * of peers this transport was told joined and that are still up (a crashed peer disappears
 * from it without a `peerLeft` event; a partitioned one does not disappear).
 */
export class MemoryTransport implements Transport {
  /** @internal Use `network.transport(peer)`. */
  constructor(
    /** The peer this transport belongs to. */
    readonly localPeer: PeerId,
    private readonly host: MemoryTransportHost
  ) {}

  /** True if its network was created with `closesOnCrash` (see {@link MemoryNetwork.kill}). */
  get closesOnCrash(): boolean {
    return this.host.closesOnCrash
  }

  /** Where this transport is in its lifecycle. */
  get state(): MemoryTransportState {
    return this.host.state(this)
  }

  /**
   * Joins the network. The `peerJoined` events (here and at the other peers) are delivered by
   * clock timers due now, never from inside this call.
   */
  connect(events: TransportEvents): void {
    this.host.connect(this, events)
  }

  /** Sends a copy of `data` to `to`; dropped unless `to` is in {@link MemoryTransport.peers}. */
  send(to: PeerId, data: Uint8Array): void {
    this.host.send(this, to, data)
  }

  /** The peers this transport has seen join, minus those that left or are no longer up. */
  peers(): ReadonlySet<PeerId> {
    return this.host.peers(this)
  }

  /** Leaves the network: the others get `peerLeft`, frames in flight to and from it are dropped. */
  close(): void {
    this.host.close(this)
  }
}
