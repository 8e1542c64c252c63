import type { Clock } from '../clock/Clock.js'
import type { PeerId } from '../ids/ids.js'
import type { AppDoc } from './AppDoc.js'
import type { FailureDetector } from './detector/FailureDetector.js'
import { commitIndex, isMajority, majority } from './Quorum.js'
import type { TimingOptions } from './timing.js'

interface PeerAcks {
  /** Last time the peer counted as alive (an ack, or the start of the term). */
  seen: number
  /** Last real ack, for the quorum lease. */
  acked: number
  /** Decisions of this term the peer holds. */
  count: number
}

/**
 * The coordinator's view of its followers, from heartbeat acks: who is alive (ack younger than
 * the adaptive detector's timeout for that follower), which is sent to followers so they rank
 * failover candidates alike; the room (the others it last saw alive), to notice when it is the
 * one cut off; and, for quorum mode, whether a majority acked lately (the lease) and how many
 * decisions a majority holds (the commit index).
 */
export class LeaderView {
  private readonly peers = new Map<PeerId, PeerAcks>()
  private readonly mismatches = new Map<PeerId, number>()
  private lastKey = ''
  /**
   * The other peers this coordinator last saw alive (or, at the start of a term, the peers of the
   * view it followed before). It shrinks only while some of them still answer, so a peer that
   * loses all of them at once — cut off from the room — keeps them and holds its decisions.
   */
  private room = new Set<PeerId>()
  /**
   * Room members whose links this peer's transport gave up for silence (a keepalive timeout):
   * unlike a closed link (a killed process) that says nothing about whether they are alive, so
   * they still count as the room a cut-off coordinator waits to hear.
   */
  private readonly lostSilently = new Set<PeerId>()

  constructor(
    private readonly self: PeerId,
    private readonly clock: Clock,
    private readonly timing: TimingOptions,
    private readonly app: AppDoc,
    private readonly detector: FailureDetector
  ) {}

  /**
   * Starts a term: every connected peer counts as alive for one suspicion period (not for the
   * lease); `room` is whom this peer expects to hear (the alive view it last knew, minus itself
   * and the coordinator it replaces).
   */
  reset(peers: Iterable<PeerId>, room: Iterable<PeerId> = []): void {
    this.peers.clear()
    this.mismatches.clear()
    this.lastKey = ''
    const now = this.clock.now()
    for (const p of peers) this.peers.set(p, { seen: now, acked: -Infinity, count: 0 })
    this.room = new Set([...room].filter((p) => p !== this.self))
    this.lostSilently.clear()
  }

  /** `peer` acked a heartbeat of this term, holding `count` of its decisions. */
  acked(peer: PeerId, count: number): void {
    const now = this.clock.now()
    const prev = this.peers.get(peer)
    this.detector.heard(peer, now)
    this.peers.set(peer, { seen: now, acked: now, count: Math.max(count, prev?.count ?? 0) })
  }

  /**
   * `peer`'s link went down; `silent` if the transport gave it up for silence (it stays in the
   * room: see {@link LeaderView.isolated}), otherwise it closed (a crashed peer leaves the room).
   */
  forget(peer: PeerId, silent = false): void {
    this.peers.delete(peer)
    this.mismatches.delete(peer)
    this.detector.forget(peer)
    if (silent && this.room.has(peer)) this.lostSilently.add(peer)
    else this.lostSilently.delete(peer)
  }

  /**
   * True if this coordinator hears none of its room: every peer it last saw alive is silent for
   * longer than the detector's timeout for it, or its link was given up for silence. Then it is
   * more likely cut off than they are all dead, and the room has likely elected another
   * coordinator. Peers whose links closed leave the room (a killed process's sockets close at
   * once), so the last survivor of crashes keeps serving; a keepalive that gives up on a silent
   * link does not, so a cut-off coordinator keeps holding after its transport drops its links.
   */
  isolated(connected: ReadonlySet<PeerId>): boolean {
    return this.roomState(connected) === 'silent'
  }

  /** True if this coordinator has no room (alone from the start, or every other peer's link closed). */
  alone(connected: ReadonlySet<PeerId>): boolean {
    return this.roomState(connected) === 'empty'
  }

  /** Whether some room member is heard, all are silent, or there is nobody to hear. */
  private roomState(connected: ReadonlySet<PeerId>): 'heard' | 'silent' | 'empty' {
    const now = this.clock.now()
    let members = 0
    for (const p of this.room) {
      if (!connected.has(p)) {
        if (this.lostSilently.has(p)) members++
        continue
      }
      members++
      const a = this.peers.get(p)
      if (a !== undefined && now - a.seen <= this.detector.timeout(p)) return 'heard'
    }
    return members > 0 ? 'silent' : 'empty'
  }

  /** The most decisions of this term any follower acked holding (0 before any ack). */
  replicated(): number {
    let n = 0
    for (const a of this.peers.values()) n = Math.max(n, a.count)
    return n
  }

  /** The longest timeout the detector applies to a follower now (the floor with none). */
  longestTimeout(): number {
    let t = this.timing.suspectMs
    for (const p of this.peers.keys()) t = Math.max(t, this.detector.timeout(p))
    return t
  }

  /** Counts consecutive digest mismatches with `peer`; true (and reset) on the third. */
  digestMismatch(peer: PeerId, mismatch: boolean): boolean {
    const n = mismatch ? (this.mismatches.get(peer) ?? 0) + 1 : 0
    this.mismatches.set(peer, n >= 3 ? 0 : n)
    return n >= 3
  }

  /** How many decisions of this term every current member but this one acked holding (`written` if none other). */
  heldByAll(written: number): number {
    let held = written
    for (const p of this.app.members()) if (p !== this.self) held = Math.min(held, this.peers.get(p)?.count ?? 0)
    return held
  }

  /** True while a majority of the eligible peers (this one included) acked within `leaseMs`. */
  leaseValid(leaseMs: number): boolean {
    const now = this.clock.now()
    const fresh = [this.self, ...[...this.peers].filter(([, a]) => now - a.acked <= leaseMs).map(([p]) => p)]
    return isMajority(fresh, this.app.members())
  }

  /** How many of this term's decisions a majority of the eligible peers hold; `written` is ours. */
  committed(written: number): number {
    const eligible = this.app.members()
    const counts = eligible.map((p) => (p === this.self ? written : (this.peers.get(p)?.count ?? 0)))
    return Math.min(written, commitIndex(counts, majority(eligible.length)))
  }

  /** The alive peers (this one included), eligible ones first in successorship order, and whether that changed. */
  alive(connected: ReadonlySet<PeerId>): { list: PeerId[]; changed: boolean } {
    const now = this.clock.now()
    const alive = new Set<PeerId>([this.self])
    for (const [p, a] of this.peers) {
      if (connected.has(p) && now - a.seen <= this.detector.timeout(p)) alive.add(p)
    }
    // Peers died one by one while others still answer: the room follows the view. When all go
    // silent at once, it is kept (see `isolated`).
    if (alive.size > 1) {
      this.room = new Set([...alive].filter((p) => p !== this.self))
      this.lostSilently.clear()
    }
    const list: PeerId[] = []
    for (const p of this.app.members()) {
      if (alive.delete(p)) list.push(p)
    }
    list.push(...[...alive].sort())
    const key = list.join(',')
    const changed = key !== this.lastKey
    this.lastKey = key
    return { list, changed }
  }
}
