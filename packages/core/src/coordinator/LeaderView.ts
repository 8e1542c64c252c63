import type { Clock } from '../clock/Clock.js'
import type { PeerId } from '../ids/ids.js'
import type { AppDoc } from './AppDoc.js'
import type { TimingOptions } from './timing.js'

/**
 * The coordinator's view of who is alive, from heartbeat acks: a peer is alive while its last
 * ack is younger than `suspectMs`. Followers rank failover candidates by this view, so it is
 * sent to them (only when it changes: heartbeats carry just its version).
 */
export class LeaderView {
  private readonly lastAck = new Map<PeerId, number>()
  private readonly mismatches = new Map<PeerId, number>()
  private lastKey = ''

  constructor(
    private readonly self: PeerId,
    private readonly clock: Clock,
    private readonly timing: TimingOptions,
    private readonly app: AppDoc
  ) {}

  /** Starts a term: every connected peer counts as alive for one suspicion period. */
  reset(peers: Iterable<PeerId>): void {
    this.lastAck.clear()
    this.mismatches.clear()
    this.lastKey = ''
    const now = this.clock.now()
    for (const p of peers) this.lastAck.set(p, now)
  }

  /** `peer` acked a heartbeat. */
  acked(peer: PeerId): void {
    this.lastAck.set(peer, this.clock.now())
  }

  /** `peer` is gone (its link closed). */
  forget(peer: PeerId): void {
    this.lastAck.delete(peer)
    this.mismatches.delete(peer)
  }

  /** Counts consecutive digest mismatches with `peer`; true (and reset) on the third. */
  digestMismatch(peer: PeerId, mismatch: boolean): boolean {
    const n = mismatch ? (this.mismatches.get(peer) ?? 0) + 1 : 0
    this.mismatches.set(peer, n >= 3 ? 0 : n)
    return n >= 3
  }

  /** The alive peers (this one included), eligible ones first in successorship order, and whether that changed. */
  alive(connected: ReadonlySet<PeerId>): { list: PeerId[]; changed: boolean } {
    const now = this.clock.now()
    const alive = new Set<PeerId>([this.self])
    for (const [p, t] of this.lastAck) {
      if (connected.has(p) && now - t <= this.timing.suspectMs) alive.add(p)
    }
    const list: PeerId[] = []
    for (const p of this.app.eligible()) {
      if (alive.delete(p)) list.push(p)
    }
    list.push(...[...alive].sort())
    const key = list.join(',')
    const changed = key !== this.lastKey
    this.lastKey = key
    return { list, changed }
  }
}
