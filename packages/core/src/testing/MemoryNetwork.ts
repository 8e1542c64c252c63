import { ConfigError } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import { seededRandom, type Random } from '../random/Random.js'
import { fnv1a32 } from '../sync/fnv1a32.js'
import { InFlightFrames, type InFlightFrame } from './InFlightFrames.js'
import { Membership, type Endpoint } from './Membership.js'
import { MemoryTransport, type MemoryTransportHost } from './MemoryTransport.js'
import type { LeaveReason } from '../transport/Transport.js'
import { Partition } from './Partition.js'
import { defaultNetworkFaults, mergeNetworkFaults, planFrame, type NetworkFaults } from './NetworkFaults.js'
import { StatsRecorder, type LinkKey, type NetworkStats } from './NetworkStats.js'
import type { TraceEntry } from './TraceEntry.js'
import { VirtualClock } from './VirtualClock.js'

/** Options of a {@link MemoryNetwork}; faults not given take {@link defaultNetworkFaults}. */
export interface MemoryNetworkOptions extends Partial<NetworkFaults> {
  /**
   * Seed of the PRNG behind every fault decision: same seed + same script = same run. An
   * integer in `1 .. 2^32 - 1` (0 would make lib0's PRNG emit only zeros, so it is refused).
   */
  readonly seed: number
  /** The clock that delivers frames (default: a fresh {@link VirtualClock} at time 0). */
  readonly clock?: VirtualClock
  /** Record a {@link TraceEntry} per delivered frame (default false, to save memory). */
  readonly trace?: boolean
  /**
   * The transports claim `closesOnCrash` (default false): the test kills peers with
   * {@link MemoryNetwork.kill}, as a LAN's dead processes close their sockets, and a silent
   * `crash` stands for a machine that lost power or left the Wi-Fi.
   */
  readonly closesOnCrash?: boolean
}

/**
 * A deterministic in-memory network for tests, after yjs's TestConnector and automerge-repo's
 * DummyNetworkAdapter. Every peer gets a {@link MemoryTransport}; frames travel on a
 * {@link VirtualClock} with seeded latency, loss, duplication and reordering; tests can
 * partition, heal, crash and restart peers, and read counters and a delivery trace.
 *
 * Determinism: all randomness comes from `seededRandom(seed)`, drawn in send order; membership
 * events and frames are delivered by clock timers (never re-entrantly inside `connect`, `send` or
 * `close`). So the same seed and the same sequence of calls give the same run, byte for byte.
 *
 * Membership: `connect` makes each other connected peer get `peerJoined(new)` and the new one
 * `peerJoined(other)`; `close` makes the others get `peerLeft`. A crash sends nothing, so the
 * others keep the crashed peer in their event-level view; when it comes back they get
 * `peerJoined` for it again without a `peerLeft` in between. Consumers must tolerate that.
 *
 * Exceptions thrown by event handlers are caught, recorded in {@link MemoryNetwork.handlerErrors}
 * and the network keeps going; assert that list is empty at the end of a test.
 */
export class MemoryNetwork {
  /** The clock that delivers frames; advance it, or call {@link MemoryNetwork.flush}. */
  readonly clock: VirtualClock
  private currentFaults: NetworkFaults
  private readonly random: Random
  private readonly tracing: boolean
  private readonly endpoints = new WeakMap<MemoryTransport, Endpoint>()
  private readonly members: Membership
  private readonly frames: InFlightFrames<Endpoint>
  private deliveredTotal = 0
  private readonly recorder = new StatsRecorder()
  private readonly traceEntries: TraceEntry[] = []
  private readonly errors: unknown[] = []
  private readonly partitioned = new Partition()
  private host: MemoryTransportHost = {
    connect: (t, events) => this.members.connect(this.endpointOf(t), events),
    send: (t, to, data) => this.sendFrame(this.endpointOf(t), to, data),
    peers: (t) => this.members.peersOf(this.endpointOf(t)),
    close: (t) => this.end(this.endpointOf(t), 'closed'),
    state: (t) => this.endpointOf(t).state,
    closesOnCrash: false
  }

  /** Throws a {@link ConfigError} for a bad seed or fault setting. */
  constructor(options: MemoryNetworkOptions) {
    const { seed } = options
    if (!Number.isSafeInteger(seed)) throw new ConfigError(`seed must be an integer, got ${seed}`)
    this.random = seededRandom(seed)
    this.clock = options.clock ?? new VirtualClock()
    this.members = new Membership(this.clock, (error) => this.errors.push(error))
    this.frames = new InFlightFrames(this.clock, (frame) => this.deliver(frame))
    this.tracing = options.trace ?? false
    this.currentFaults = mergeNetworkFaults(defaultNetworkFaults, options)
    this.host = { ...this.host, closesOnCrash: options.closesOnCrash ?? false }
  }

  /** The faults in effect. */
  get faults(): NetworkFaults {
    return this.currentFaults
  }

  /** Changes some faults from now on (frames in flight keep their fate). Validated like the options. */
  setFaults(changes: Partial<NetworkFaults>): void {
    this.currentFaults = mergeNetworkFaults(this.currentFaults, changes)
  }

  /**
   * A new, not yet connected transport for `peer`. Calling it again for a peer whose transport
   * was closed or crashed brings the peer back as a fresh incarnation; throws if the peer's
   * current transport is still idle or up.
   */
  transport(peer: PeerId): MemoryTransport {
    const endpoint = this.members.create(peer)
    const transport = new MemoryTransport(peer, this.host)
    this.endpoints.set(transport, endpoint)
    return transport
  }

  /**
   * Crashes `peer` if it is live, then returns a fresh transport for it (not connected yet:
   * call `connect` with the new incarnation's handlers). Throws for a peer never seen.
   */
  restart(peer: PeerId): MemoryTransport {
    this.crash(peer)
    return this.transport(peer)
  }

  /**
   * `peer` vanishes without goodbye: nobody gets `peerLeft`, frames in flight to and from it are
   * dropped, its transport delivers nothing more and ignores sends. No-op if it is already closed
   * or crashed; throws for a peer never seen (likely a typo in the test).
   */
  crash(peer: PeerId): void {
    const endpoint = this.members.get(peer)
    if (endpoint === undefined) throw new Error(`MemoryNetwork.crash: unknown peer ${peer}`)
    this.end(endpoint, 'crashed')
  }

  /**
   * `peer`'s process is killed: like {@link MemoryNetwork.crash}, but its operating system closes
   * its links, so every live peer gets `peerLeft(peer, 'closed')` (by a timer due now). A
   * SIGKILLed process on a LAN looks like this; a frozen one (see `Cluster.stall`) does not.
   */
  kill(peer: PeerId): void {
    const endpoint = this.members.get(peer)
    if (endpoint === undefined) throw new Error(`MemoryNetwork.kill: unknown peer ${peer}`)
    this.end(endpoint, 'killed')
  }

  /**
   * Splits the network: peers in different groups cannot exchange frames (checked at send and at
   * delivery time); peers named in no group form one more group together. Silent: no events, and
   * `peers()` does not change. Replaces any earlier partition. Throws if a peer is listed twice.
   */
  partition(groups: readonly (readonly PeerId[])[]): void {
    this.partitioned.set(groups)
  }

  /**
   * Cuts the one link between `a` and `b`, silently (frames in flight on it are dropped at
   * delivery); both still reach everyone else. Models a WebRTC link that never formed or broke
   * while its peers stay linked to others: connectivity that is not transitive. `heal` mends it.
   */
  cutLink(a: PeerId, b: PeerId): void {
    this.partitioned.cut(a, b)
  }

  /**
   * Closes the one link between `a` and `b` on `a`'s side only: cuts it (see `cutLink`) and gives
   * `a` a `peerLeft(b, reason)`, while `b` (live or crashed) hears nothing. Models one peer
   * noticing a crash at once because its link closed (`reason` `closed` or none), or its
   * keepalive giving up on a silent link (`silent`), while the others notice only by silence.
   */
  closeLinkAt(a: PeerId, b: PeerId, reason?: LeaveReason): void {
    const at = this.members.get(a)
    const other = this.members.get(b)
    if (at === undefined || other === undefined) throw new Error(`MemoryNetwork.closeLinkAt: unknown peer ${at === undefined ? a : b}`)
    this.partitioned.cut(a, b)
    this.members.reportLeft(at, other, reason)
  }

  /** Removes the partition and every cut link, silently. Frames dropped by them stay dropped. */
  heal(): void {
    this.partitioned.clear()
  }

  /**
   * Runs the clock, timer by timer in time order (other timers that fall due run too), until no
   * frame is in flight and no membership event is pending. Returns the number of frames
   * delivered meanwhile. Throws if that takes more than `maxSteps` timers (a send loop?).
   */
  flush(maxSteps = 1_000_000): number {
    const before = this.deliveredTotal
    let steps = 0
    while (this.frames.size > 0 || this.members.pendingEvents > 0) {
      if (steps++ >= maxSteps) {
        throw new Error(`MemoryNetwork.flush: ${this.frames.size} frames still in flight after ${maxSteps} timers; do handlers keep sending?`)
      }
      if (!this.clock.runNext()) throw new Error('MemoryNetwork.flush: frames in flight but no timer scheduled (was the clock replaced?)')
    }
    return this.deliveredTotal - before
  }

  /** Frames (including duplicate copies) sent and neither delivered nor dropped yet. */
  inFlight(): number {
    return this.frames.size
  }

  /** Counters since creation or the last {@link MemoryNetwork.resetStats}. */
  stats(): NetworkStats {
    return this.recorder.snapshot()
  }

  /** Sets all counters to zero (the trace is kept). */
  resetStats(): void {
    this.recorder.reset()
  }

  /** Every delivered frame so far, in delivery order; empty unless created with `trace: true`. */
  trace(): readonly TraceEntry[] {
    return this.traceEntries.slice()
  }

  /** Exceptions thrown by transport event handlers, in order. A healthy test leaves this empty. */
  handlerErrors(): readonly unknown[] {
    return this.errors.slice()
  }

  private endpointOf(transport: MemoryTransport): Endpoint {
    const endpoint = this.endpoints.get(transport)
    if (endpoint === undefined) throw new Error('this MemoryTransport belongs to another MemoryNetwork')
    return endpoint
  }

  /** Closes or crashes `endpoint`; its frames in flight, both ways, are dropped. */
  private end(endpoint: Endpoint, how: 'closed' | 'crashed' | 'killed'): void {
    if (!this.members.end(endpoint, how)) return
    for (const frame of this.frames.cancelFor(endpoint)) this.recorder.add(frame.link, 'dropped')
  }

  private sendFrame(from: Endpoint, to: PeerId, data: Uint8Array): void {
    if (!this.members.isLive(from)) return
    const plan = planFrame(this.currentFaults, this.random)
    const link: LinkKey = `${from.peer}->${to}`
    this.recorder.add(link, 'messages')
    this.recorder.add(link, 'bytes', data.byteLength)
    const target = this.members.get(to)
    const reachable =
      target !== undefined && this.members.isLive(target) && from.view.has(to) && this.partitioned.sameSide(from.peer, to)
    if (!reachable || plan.lost) {
      this.recorder.add(link, 'dropped')
      return
    }
    if (plan.copies.length > 1) this.recorder.add(link, 'duplicated', plan.copies.length - 1)
    for (const copy of plan.copies) this.frames.schedule(from, target, link, data, this.clock.now() + copy.delayMs, copy.fifo)
  }

  private deliver(frame: InFlightFrame<Endpoint>): void {
    const { from, to, link, data } = frame
    if (!this.members.isLive(to) || !this.members.isLive(from) || !this.partitioned.sameSide(from.peer, to.peer)) {
      this.recorder.add(link, 'dropped')
      return
    }
    this.deliveredTotal++
    this.recorder.add(link, 'delivered')
    if (this.tracing) {
      this.traceEntries.push({ t: this.clock.now(), from: from.peer, to: to.peer, bytes: data.byteLength, hash: fnv1a32(data) })
    }
    this.members.invoke(to, (events) => events.frame(from.peer, data))
  }
}
