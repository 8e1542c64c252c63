import type { PeerId } from '../ids/ids.js'
import type { LeaveReason, TransportEvents } from '../transport/Transport.js'
import { MemoryTransportState } from './MemoryTransport.js'
import type { VirtualClock } from './VirtualClock.js'

/** One peer incarnation: the state behind one {@link MemoryTransport}. @internal */
export interface Endpoint {
  readonly peer: PeerId
  state: MemoryTransportState
  events: TransportEvents | undefined
  /** Peers this endpoint was told joined and not told left. */
  readonly view: Set<PeerId>
}

/**
 * Who is up on a {@link MemoryNetwork} and who has been told about whom. Membership events are
 * delivered by clock timers due now, so none fires re-entrantly inside `connect` or `close`;
 * each is re-checked when it fires and skipped if an end has gone meanwhile.
 * @internal
 */
export class Membership {
  /** The newest endpoint of each peer id, in order of first appearance (so iteration is deterministic). */
  private readonly current = new Map<PeerId, Endpoint>()
  private pending = 0

  /** `onHandlerError` receives whatever an event handler throws. */
  constructor(
    private readonly clock: VirtualClock,
    private readonly onHandlerError: (error: unknown) => void
  ) {}

  /** Membership events scheduled and not fired yet. */
  get pendingEvents(): number {
    return this.pending
  }

  /** A new idle endpoint for `peer`, replacing a closed or crashed one. Throws if one is still idle or up. */
  create(peer: PeerId): Endpoint {
    const existing = this.current.get(peer)
    if (existing !== undefined && (existing.state === 'idle' || existing.state === 'up')) {
      throw new Error(`peer ${peer} already has a live transport; close() it or network.crash(peer) first`)
    }
    const endpoint: Endpoint = { peer, state: MemoryTransportState.Idle, events: undefined, view: new Set() }
    this.current.set(peer, endpoint)
    return endpoint
  }

  /** The newest endpoint of `peer`, if any. */
  get(peer: PeerId): Endpoint | undefined {
    return this.current.get(peer)
  }

  /** True if `endpoint` is connected and still the newest incarnation of its peer. */
  isLive(endpoint: Endpoint): boolean {
    return endpoint.state === 'up' && this.current.get(endpoint.peer) === endpoint
  }

  /** The peers `endpoint` was told joined (and not left) that are live now. */
  peersOf(endpoint: Endpoint): ReadonlySet<PeerId> {
    const peers = new Set<PeerId>()
    if (!this.isLive(endpoint)) return peers
    for (const peer of endpoint.view) {
      const other = this.current.get(peer)
      if (other !== undefined && this.isLive(other)) peers.add(peer)
    }
    return peers
  }

  /** Brings `endpoint` up; it and every live peer will learn of each other. */
  connect(endpoint: Endpoint, events: TransportEvents): void {
    if (endpoint.state === 'up') throw new Error(`MemoryTransport ${endpoint.peer}: connect() called twice`)
    if (endpoint.state !== 'idle') {
      throw new Error(`MemoryTransport ${endpoint.peer} is ${endpoint.state}; get a fresh one from network.transport(peer)`)
    }
    endpoint.state = MemoryTransportState.Up
    endpoint.events = events
    for (const other of this.current.values()) {
      if (other === endpoint || !this.isLive(other)) continue
      this.notify(other, endpoint, 'peerJoined')
      this.notify(endpoint, other, 'peerJoined')
    }
  }

  /**
   * Ends `endpoint` as `closed` (every live peer will get `peerLeft`), `crashed` (nobody hears
   * anything) or `killed` (it ends up crashed, but every live peer gets `peerLeft` with reason
   * `closed`, as the operating system of a killed process closes its sockets). Returns false,
   * doing nothing, if it had already ended.
   */
  end(endpoint: Endpoint, how: 'closed' | 'crashed' | 'killed'): boolean {
    if (endpoint.state === 'closed' || endpoint.state === 'crashed') return false
    const wasUp = endpoint.state === 'up'
    endpoint.state = how === 'killed' ? MemoryTransportState.Crashed : how
    endpoint.view.clear()
    if (wasUp && how !== 'crashed') {
      for (const other of this.current.values()) {
        if (other !== endpoint && this.isLive(other)) this.notify(other, endpoint, 'peerLeft', 'closed')
      }
    }
    return true
  }

  /** Tells `to` (if live) that `about` left, as if their link closed on `to`'s side; `about` hears nothing. */
  reportLeft(to: Endpoint, about: Endpoint, reason?: LeaveReason): void {
    this.notify(to, about, 'peerLeft', reason)
  }

  /** Calls one of `endpoint`'s handlers if it has any, catching what it throws. */
  invoke(endpoint: Endpoint, call: (events: TransportEvents) => void): void {
    if (endpoint.events === undefined) return
    try {
      call(endpoint.events)
    } catch (error) {
      this.onHandlerError(error)
    }
  }

  /** Tells `to`, by a timer due now, that `about` joined or left (if still relevant then). */
  private notify(to: Endpoint, about: Endpoint, kind: 'peerJoined' | 'peerLeft', reason?: LeaveReason): void {
    this.pending++
    this.clock.setTimeout(() => {
      this.pending--
      if (!this.isLive(to)) return
      if (kind === 'peerJoined') {
        if (!this.isLive(about)) return
        to.view.add(about.peer)
      } else if (!to.view.delete(about.peer)) {
        return
      }
      this.invoke(to, (events) => (kind === 'peerJoined' ? events.peerJoined(about.peer) : events.peerLeft(about.peer, reason)))
    }, 0)
  }
}
