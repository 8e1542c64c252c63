import type { Clock, PeerId } from '@sship/core'
import { systemClock, type TimerHandle } from '@sship/core/internals'
import { isInitiator } from '../transport/initiatorRule.js'
import { DEFAULT_MESH_K, wantedLinks } from './meshLinks.js'

/** The link layer a {@link MeshHealer} drives ({@link WebrtcTransport} has it). */
export interface HealableLinks {
  readonly localPeer: PeerId
  /**
   * Links up or forming (a closed link is gone from the list, or shows state `closed`); `heard`:
   * a signal from the remote arrived on it (our offer got through).
   */
  getLinks(): ReadonlyArray<{ readonly peer: PeerId; readonly state: string; readonly heard: boolean }>
  /** Opens a link to `peer` unless one is up or forming (through a signaling server, else the mesh). */
  link(peer: PeerId): void
  /** Drops a link to `peer` still forming and offers again. */
  relink(peer: PeerId): void
  /** Signaling servers connected now: while any is, their announces form the links. */
  signalingUrls(): readonly string[]
}

/** The mesh above the links ({@link RelayTransport} is one): who is reachable, and when that changes. */
export interface MeshMembers {
  /** Every peer reachable over some chain of links. */
  peers(): ReadonlySet<PeerId>
  /** Calls `listener` after links or routes changed; returns the unsubscribe function. */
  onChange(listener: () => void): () => void
}

/** Options of a {@link MeshHealer}. */
export interface MeshHealerOptions {
  readonly links: HealableLinks
  readonly mesh: MeshMembers
  /** The rule's `k` ({@link wantedLinks}); give the transport's `mesh.k`. Default {@link DEFAULT_MESH_K}. */
  readonly k?: number
  /** Never open a link beyond this many; give the transport's `mesh.maxLinks`. Default 20. */
  readonly maxLinks?: number
  /** Timers. Default: the system clock. */
  readonly clock?: Clock
  /**
   * Wait this long after a change before acting, so that the flood of link-state advertisements a
   * departure causes settles first (the dead peer's neighbours drop it within one flood). Default 100 ms.
   */
  readonly settleMs?: number
  /** Check again this often, to retry links that failed (an offer refused at the remote's cap). Default 2000 ms. */
  readonly checkMs?: number
  /**
   * Offer again if the remote has not answered this long after an offer (it or the answer was lost
   * on a route that changed under it). Default 1000 ms (a relayed answer takes a few hops of ms).
   */
  readonly answerMs?: number
  /** Offer again if a link is still not open this long after the offer (lost candidates). Default 5000 ms. */
  readonly openMs?: number
  /** Peers never to open a link to, e.g. this browser's other tabs (they talk over BroadcastChannel). Default none. */
  readonly skip?: (peer: PeerId) => boolean
  /** A link that could not be asked for; the healer keeps running. */
  readonly onError?: (error: Error) => void
}

/**
 * Keeps a capped WebRTC mesh whole when no signaling server is left (every Node host gone): the
 * members are the peers the mesh still reaches, the pairs to link are the ones the symmetric rule
 * ({@link wantedLinks}) picks over them, and for each pair this peer should offer on (the
 * {@link isInitiator} side, so the two ends never both offer) and has no link to, it calls
 * `link(peer)`, whose offer and answer then travel hop by hop through the mesh. A link that drops
 * between two live peers comes back; a departure makes the rule pick new pairs, and those form.
 *
 * While a signaling server is connected it does nothing: the servers' announces already form the
 * links. Work is bounded: the rule is evaluated only when the member set changes (cached by key),
 * and acts at most once per `settleMs` burst plus once per `checkMs`.
 */
export class MeshHealer {
  private readonly clock: Clock
  private readonly k: number
  private readonly maxLinks: number
  private settleTimer: TimerHandle | undefined
  private checkTimer: TimerHandle | undefined
  private retryTimer: TimerHandle | undefined
  /** When this healer last offered to each peer whose link is not open yet. */
  private readonly offeredAt = new Map<PeerId, number>()
  private unsubscribe: (() => void) | undefined
  private cacheKey = ''
  private cache: readonly PeerId[] = []
  private stopped = false
  /** Links this healer asked for, for diagnostics and measurements. */
  opened = 0

  constructor(private readonly options: MeshHealerOptions) {
    this.clock = options.clock ?? systemClock
    this.k = options.k ?? DEFAULT_MESH_K
    this.maxLinks = options.maxLinks ?? 20
  }

  /** Starts watching the mesh. */
  start(): void {
    if (this.stopped || this.unsubscribe !== undefined) return
    this.unsubscribe = this.options.mesh.onChange(() => this.soon())
    this.scheduleCheck()
  }

  /** Stops watching; opens nothing more. */
  stop(): void {
    this.stopped = true
    this.unsubscribe?.()
    if (this.settleTimer !== undefined) this.clock.clearTimeout(this.settleTimer)
    if (this.checkTimer !== undefined) this.clock.clearTimeout(this.checkTimer)
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer)
  }

  /**
   * The pairs this peer should offer on, over the members the mesh reaches now: the rule's pairs
   * that include this peer, where this peer is the initiator.
   */
  toOffer(): readonly PeerId[] {
    const self = this.options.links.localPeer
    const reachable = [...this.options.mesh.peers()].filter((p) => p !== self).sort()
    const key = reachable.join('\u0000')
    if (key === this.cacheKey) return this.cache
    const members = [...reachable, self]
    const mine = new Set(wantedLinks(self, members, this.k))
    this.cache = reachable.filter((p) => isInitiator(self, p) && (mine.has(p) || wantedLinks(p, members, this.k).includes(self)))
    this.cacheKey = key
    return this.cache
  }

  /**
   * Opens the links the rule wants and this peer lacks, and offers again where an offer of ours
   * went unanswered (when no signaling server is up); returns the peers offered to.
   */
  check(): PeerId[] {
    const links = this.options.links
    if (this.stopped || links.signalingUrls().length > 0) return []
    const now = this.clock.now()
    const current = new Map(links.getLinks().filter((l) => l.state !== 'closed').map((l) => [l.peer, l]))
    const offered: PeerId[] = []
    const wanted = this.toOffer()
    const wantedSet = new Set(wanted)
    for (const [peer, at] of this.offeredAt) {
      const l = current.get(peer)
      if (l === undefined || l.state === 'open' || !wantedSet.has(peer)) this.offeredAt.delete(peer)
      else if ((!l.heard && now - at >= this.answerMs) || now - at >= this.openMs) {
        if (this.ask(() => links.relink(peer))) offered.push(peer)
      }
    }
    for (const peer of wanted) {
      if (this.options.skip?.(peer) === true) continue
      const l = current.get(peer)
      // A link forming that this healer did not start (its offer went out through a server that
      // has closed since): watched from now on, and offered again if it stays unanswered.
      if (l !== undefined) {
        if (l.state !== 'open' && !this.offeredAt.has(peer)) this.offeredAt.set(peer, now)
        continue
      }
      if (current.size >= this.maxLinks || !this.ask(() => links.link(peer))) continue
      current.set(peer, { peer, state: 'connecting', heard: false })
      offered.push(peer)
    }
    for (const peer of offered) this.offeredAt.set(peer, now)
    this.opened += offered.length
    if (this.offeredAt.size > 0) this.scheduleRetry()
    return offered
  }

  private get answerMs(): number {
    return this.options.answerMs ?? 1000
  }

  private get openMs(): number {
    return this.options.openMs ?? 5000
  }

  private ask(run: () => void): boolean {
    try {
      run()
      return true
    } catch (error) {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)))
      return false
    }
  }

  /** Checks again when the earliest unanswered offer is due a retry. */
  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== undefined) return
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined
      this.check()
    }, this.answerMs)
  }

  private soon(): void {
    if (this.stopped || this.settleTimer !== undefined) return
    this.settleTimer = this.clock.setTimeout(() => {
      this.settleTimer = undefined
      this.check()
    }, this.options.settleMs ?? 100)
  }

  private scheduleCheck(): void {
    if (this.stopped) return
    this.checkTimer = this.clock.setTimeout(() => {
      this.check()
      this.scheduleCheck()
    }, this.options.checkMs ?? 2000)
  }
}
