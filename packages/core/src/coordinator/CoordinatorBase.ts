import type { Clock, TimerHandle } from '../clock/Clock.js'
import { FrameError, FrameErrorCode, SshipError } from '../errors/errors.js'
import type { Epoch, PeerId } from '../ids/ids.js'
import { encodeHeartbeatAck, type TermRef } from '../protocol/coordinatorMessages.js'
import type { Random } from '../random/Random.js'
import type { DocSync } from '../sync/DocSync.js'
import * as YSV from '../sync/stateVector.js'
import { randomHex } from '../random/Random.js'
import type { AppDoc, DecisionRecord } from './AppDoc.js'
import type { Candidacy } from './Candidacy.js'
import { Contact } from './Contact.js'
import { FailureDetector } from './detector/FailureDetector.js'
import { LocalHealth } from './detector/LocalHealth.js'
import { RoundTrip } from './detector/RoundTrip.js'
import { buildSnapshot, sameSnapshot, type CoordinatorSnapshot } from './CoordinatorSnapshot.js'
import type { CanonicalDecision, Ledger } from './Ledger.js'
import { LeaderView } from './LeaderView.js'
import { VoteBook } from './Quorum.js'
import { RequestProcessor } from './RequestProcessor.js'
import { Role } from './Role.js'
import { compareTerms, maxTerm, parseTermKey, sameTerm, termKey, type TermKey, type TermRecord } from './Term.js'
import type { TimingOptions } from './timing.js'
import type { Membership } from './membership/Membership.js'

/** What the coordinator needs from the peer that owns it. */
export interface CoordinatorHost {
  readonly self: PeerId
  readonly clock: Clock
  /** Draws term nonces and retry jitter. */
  readonly random: Random
  readonly app: AppDoc
  readonly ledger: Ledger
  readonly sync: DocSync
  readonly timing: TimingOptions
  /** This peer's server-code identity, or undefined for a client-only peer. */
  readonly code: string | undefined
  /** False disables failover and failback (the single-host baseline). */
  readonly failover: boolean
  /** False disables failback. */
  readonly failback: boolean
  /**
   * True for a peer the app marks as stable (a Node host, `sship join`): like the initial host it
   * takes the role back after the hold-down. Other peers ahead in the list (browsers, phones) do
   * not fail back: one that slept and woke must not pull the role around the room.
   */
  readonly stable: boolean
  /** Quorum mode: only a majority of the eligible peers may elect and keep a coordinator. */
  readonly quorum: boolean
  /** Decisions between two checkpoints; 0: none (see `checkpoint/Checkpoint.ts`). */
  readonly checkpointEvery?: number
  send(to: PeerId, frame: Uint8Array): void
  peers(): ReadonlySet<PeerId>
  /**
   * The transport's `closesOnCrash`: a dead peer's links close at once, so silence on an open
   * link gets `timing.stallMs` of patience before the coordinator is suspected. Default false.
   */
  readonly closesOnCrash?: boolean
  /**
   * With peer identities: signs the terms and decisions this peer writes (call inside the
   * writing transaction). Its presence also means only terms the ledger verified count in
   * heartbeats, acks and votes.
   */
  readonly signer?: { term(key: string, record: TermRecord): void; decision(key: string, record: DecisionRecord): void }
  /** Reports an error (a bad message from `from`, or one that must not escape a timer); the peer keeps running. */
  report(error: SshipError, from?: PeerId): void
  /** Who is a member now; without it nobody is ever retired. */
  readonly membership?: Membership
}

/** Something that happened to the role, for logs, metrics and tests. */
export type CoordinatorEvent =
  | { readonly type: 'claimed'; readonly term: TermRecord; readonly handoff: boolean }
  | { readonly type: 'stepped-down'; readonly term: TermRef; readonly because: TermRef | null }
  | { readonly type: 'following'; readonly term: TermRef }
  | { readonly type: 'suspected'; readonly leader: PeerId }
  | { readonly type: 'handing-off'; readonly to: PeerId }

/** Transaction origin of the coordinator's own writes. */
export const LOCAL_ORIGIN = { sship: 'coordinator' }

/**
 * The state and plumbing every part of the coordinator shares: its fields, the public
 * snapshot/subscribe API, timers, events and small helpers. The behaviour is split by concern
 * into subclasses: `FollowerRole` (heartbeats, suspicion, asking for the role back),
 * `ElectionRole` (catch-up, votes, claiming a term) and `Coordinator` (leading).
 */
export abstract class CoordinatorBase {
  /** Runs the app's server code while this peer leads. */
  readonly processor: RequestProcessor
  protected role: Role = Role.Joining
  protected following: TermRef | null = null
  protected known: TermRef | null = null
  protected myTerm: TermRecord | null = null
  protected written = 0
  protected committed = 0
  protected readonly contact = new Contact()
  /** This peer's own health (timer lag, unanswered rounds): stretches every detector timeout. */
  protected readonly health: LocalHealth
  /** Adaptive timeouts per link, from the heartbeats' inter-arrival gaps. */
  protected readonly detector: FailureDetector
  /** Round trips of catch-up requests: how long a confirmation round waits. */
  protected readonly rtt = new RoundTrip()
  /** When the current candidacy's catch-up requests went out (for RTT samples). */
  protected catchUpSentAt = -Infinity
  /** True while the page (or process) is hidden or frozen: it neither leads nor stands as a candidate. */
  protected hidden = false
  protected viewVersion = 0
  protected view: readonly PeerId[] = []
  protected mismatches = 0
  protected readonly suspected = new Set<PeerId>()
  protected readonly leaderView: LeaderView
  protected readonly votes = new VoteBook()
  protected timer: TimerHandle | undefined
  protected candidacy: Candidacy | undefined
  /**
   * True while this peer follows a coordinator it does not hear itself but peers it asked do
   * (its own link to the coordinator is broken: connectivity that is not transitive).
   */
  protected indirect = false
  /** Nonce of the catch-up requests of an indirect follower's current liveness probe. */
  protected probeNonce: number | undefined
  protected handoffTo: PeerId | undefined
  protected lastHandoffAsk = -Infinity
  protected nonce = 0
  protected snapshot: CoordinatorSnapshot
  protected readonly listeners = new Set<() => void>()
  protected readonly eventListeners = new Set<(e: CoordinatorEvent) => void>()
  protected readonly commitListeners = new Set<() => void>()
  protected readonly offLedger: () => void
  protected readonly offDoc: () => void
  protected drainScheduled = false
  protected listed = false
  protected readonly startedAt: number

  constructor(protected readonly host: CoordinatorHost) {
    this.startedAt = host.clock.now()
    this.health = new LocalHealth(host.timing)
    // On a transport that closes a dead peer's links, silence on an open link is a pause: `stallMs`.
    const floor = host.closesOnCrash === true ? Math.max(host.timing.suspectMs, host.timing.stallMs) : host.timing.suspectMs
    this.detector = new FailureDetector(host.timing, () => this.health.factor(host.clock.now()), floor)
    this.processor = new RequestProcessor(host.app, host.ledger, (r) => this.writeDecision(r))
    this.leaderView = new LeaderView(host.self, host.clock, host.timing, host.app, new FailureDetector(host.timing, () => this.health.factor(host.clock.now())))
    this.snapshot = this.computeSnapshot()
    this.offLedger = host.ledger.listen({ requestsPending: () => this.scheduleDrain(), changed: () => this.onLedgerChanged() })
    // Join the successorship list as soon as the app's metadata reaches us, whatever brings it.
    // A peer whose instance lost to an established one joins the winner (at the end of its list).
    const onTransaction = (): void => {
      if (!this.isListed() && this.role !== Role.Joining && this.role !== Role.Stopped) this.ensureListed(false)
      else if (this.listed && this.role !== Role.Stopped) this.rejoinIfRetired()
    }
    host.app.doc.on('afterTransaction', onTransaction)
    this.offDoc = () => host.app.doc.off('afterTransaction', onTransaction)
    this.arm(host.timing.joinGraceMs, () => this.afterJoinGrace())
  }

  /** The current snapshot (same object until something changes). */
  getSnapshot(): CoordinatorSnapshot {
    return this.snapshot
  }

  /** Calls `listener` after every snapshot change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Observes role events; returns the unsubscribe function. */
  onEvent(listener: (e: CoordinatorEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  /** Called when more decisions may have become committed (a majority, or in availability mode a second copy); returns the unsubscribe function. */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener)
    return () => this.commitListeners.delete(listener)
  }

  /** This peer's role. */
  currentRole(): Role {
    return this.role
  }

  /**
   * Whether a canonical decision may be reported to its sender. In quorum mode once a majority
   * holds it (directly, or through a later term whose first decision a majority holds), so no
   * later coordinator can fence it. In availability mode once two peers hold it (see
   * {@link CoordinatorBase.heldTwice}).
   */
  isCommitted(d: CanonicalDecision): boolean {
    if (!this.host.quorum) return this.heldTwice(d)
    const current = this.role === Role.Leader ? this.myTerm : this.following
    if (current === null) return false
    const key = termKey(current)
    if (d.term === key) return d.seq < this.committed
    return this.committed >= 1 && this.host.ledger.keeps(key, d.term, d.seq + 1)
  }

  /**
   * Availability mode: a decision of another coordinator reached this peer, so two peers hold it
   * (a successor's catch-up asks both). A decision this peer made as coordinator — its own
   * user's request — has one copy until a follower acks holding it: a coordinator cut off from
   * the room just after it decided would otherwise report what the room, which never got it,
   * decides again (two TAs calling the same student). So it is reported once a follower holds
   * it, once this peer has nobody to hold it (alone: every other link closed), or once the term
   * this peer follows now keeps it (handed over, or caught up by the successor).
   */
  protected heldTwice(d: CanonicalDecision): boolean {
    const term = parseTermKey(d.term)
    if (term === undefined || term.leader !== this.host.self) return true
    if ((this.role === Role.Leader || this.role === Role.HandingOff) && this.myTerm !== null && termKey(this.myTerm) === d.term) {
      return d.seq < this.leaderView.replicated() || this.leaderView.alone(this.host.peers())
    }
    return this.following !== null && this.host.ledger.keeps(termKey(this.following), d.term, d.seq + 1)
  }

  /** Availability mode: a decision of this peer's term may have gained its second copy; the connections re-check. */
  protected notifyReplicated(): void {
    if (this.host.quorum) return
    for (const l of this.commitListeners) l()
  }

  /** Stops all timers; the peer goes silent (no goodbye is needed: others detect it). */
  stop(): void {
    this.clearTimer()
    this.role = Role.Stopped
    this.offLedger()
    this.offDoc()
    this.listeners.clear()
    this.eventListeners.clear()
    this.commitListeners.clear()
  }

  protected abstract afterJoinGrace(): void
  protected abstract onSuspect(): void
  protected abstract startFailover(extraDelay?: number): void
  protected abstract claim(handoff: { parent: TermKey; parentCount: number } | null, proposed?: TermRef): void
  protected abstract stepDown(because: TermRef | null): void
  protected abstract tick(): void
  protected abstract writeDecision(record: DecisionRecord, force?: boolean): boolean
  protected abstract scheduleDrain(): void
  protected abstract onLedgerChanged(): void

  /** What we have beyond `stateVector`; a malformed one is reported like any bad frame. */
  protected diffFor(from: PeerId, stateVector: Uint8Array, what: string): Uint8Array | undefined {
    const update = YSV.diffUpdate(this.host.app.doc, stateVector)
    if (update === undefined) this.host.report(new FrameError(FrameErrorCode.Malformed, `${what} carries a malformed state vector`), from)
    return update
  }

  /** Whether this peer is in the canonical instance's successorship list (once it joined). */
  protected isListed(): boolean {
    return this.listed && this.host.app.successorList().some((e) => e.id === this.host.self)
  }

  /** Whom a new term expects to hear: the alive view last followed (or every linked peer), minus this peer and the suspected. */
  protected expectedRoom(): PeerId[] {
    const base = this.view.length > 0 ? this.view : [...this.host.peers()]
    return base.filter((p) => p !== this.host.self && !this.suspected.has(p))
  }

  /** Makes sure the app exists and this peer, if it has the server code, is in the successorship list. */
  protected ensureListed(mayCreate: boolean): void {
    const { app, code, self } = this.host
    if (code === undefined || this.isListed()) return
    if (app.code() === undefined && !mayCreate) return
    app.doc.transact(() => {
      if (app.code() === undefined) {
        // A new app instance: its id tells it apart from one another peer may create while cut off.
        const instance = randomHex(this.host.random, 8)
        app.instances.set(instance, { host: self, code })
        app.meta.set('initialHost', self)
        app.meta.set('code', code)
        app.useInstance(instance)
      }
      const instance = app.instance()
      if (!app.successorList().some((e) => e.id === self)) app.successors.push([{ id: self, code, ...(instance !== '' ? { i: instance } : {}) }])
    }, LOCAL_ORIGIN)
    this.listed = app.successorList().some((e) => e.id === self)
  }

  /** A coordinator retired this peer while it was away: it joins again, at the end of the list. */
  private rejoinIfRetired(): void {
    const { membership, app, code, self } = this.host
    if (membership === undefined || code === undefined || app.code() !== code || membership.liveGeneration(self) !== undefined) return
    const g = membership.retiredGeneration(self) + 1
    if (g <= 0) return
    const instance = app.instance()
    app.doc.transact(() => app.successors.push([{ id: self, code, g, ...(instance !== '' ? { i: instance } : {}) }]), LOCAL_ORIGIN)
  }

  protected follow(term: TermRef): void {
    const changed = !sameTerm(this.following, term)
    if (changed) this.committed = 0
    // A new term is a new heartbeat stream: the silence between the old term's last heartbeat and
    // this one's first (a handoff, an election) is not jitter. Counted, it stretched the timeout
    // by seconds, so after a few handoffs a follower refused every vote (quorum failback starved).
    if (!sameTerm(this.contact.lastFollowed, term)) this.detector.restart(term.leader)
    this.following = { epoch: term.epoch, leader: term.leader, nonce: term.nonce }
    this.contact.lastFollowed = this.following
    // Decisions of an earlier term of ours are final once the term followed now keeps them.
    if (changed) this.notifyReplicated()
  }

  protected ranksBefore(a: PeerId, b: PeerId): boolean {
    const list = this.host.app.members()
    const ia = list.indexOf(a)
    const ib = list.indexOf(b)
    return ia >= 0 && (ib < 0 || ia < ib)
  }

  /**
   * Whether a term named in a heartbeat or ack may count: always without identities; with them
   * only a term the ledger holds, i.e. one whose leader's signature verified.
   */
  protected authentic(term: TermRef): boolean {
    return this.host.signer === undefined || this.host.ledger.term(termKey(term)) !== undefined
  }

  /**
   * True for a term of an app instance that lost to the canonical one (a peer that started
   * without the document and created the app again while cut off): it is neither followed nor
   * obeyed, whatever its epoch.
   */
  protected offInstance(term: TermRef): boolean {
    const key = termKey(term)
    return this.host.ledger.term(key) !== undefined && !this.host.ledger.inCanonicalInstance(key)
  }

  /**
   * True if `term` is older than the greatest term this peer knows. A known term of an instance
   * that lost fences nothing (its epoch still counts for the next claim, so epochs never go back).
   */
  protected olderThanKnown(term: TermRef): boolean {
    return this.known !== null && !this.offInstance(this.known) && compareTerms(term, this.known) < 0
  }

  protected noteTerm(term: TermRef): void {
    this.known = maxTerm(this.known, { epoch: term.epoch, leader: term.leader, nonce: term.nonce })
  }

  protected ack(term: TermRef): Uint8Array {
    const { epoch, leader, nonce } = term
    return encodeHeartbeatAck({
      epoch, leader, nonce, viewVersion: this.viewVersion, digest: this.host.sync.digest(),
      // Quorum commits count only replicas that hold everything the term's chain keeps.
      count: this.host.quorum && !this.host.ledger.wholeFrom(termKey(term)) ? 0 : this.host.ledger.countOf(termKey(term))
    })
  }

  /**
   * The silence after which this peer suspects the coordinator it follows now: the adaptive
   * detector's timeout for that link, stretched by local health (the floor when it follows none).
   */
  protected suspectTimeout(): number {
    const leader = this.following?.leader
    if (leader !== undefined && leader !== this.host.self) return this.detector.timeout(leader)
    const { suspectMs, suspectMaxMs } = this.host.timing
    return Math.min(suspectMaxMs, suspectMs * this.health.factor(this.host.clock.now()))
  }

  /**
   * How long a confirmation round (catch-up, probe) waits for replies: a few measured round trips,
   * or six deviations of the coordinator's heartbeat gaps before any was measured, clamped to
   * `[catchUpMs, catchUpMaxMs]`. A fixed 60 ms is shorter than one round trip on a busy Wi-Fi.
   */
  protected confirmMs(leader: PeerId | undefined): number {
    const { catchUpMs, catchUpMaxMs } = this.host.timing
    const jitter = leader === undefined ? 0 : 6 * this.detector.jitter(leader)
    return Math.min(catchUpMaxMs, Math.max(catchUpMs, this.rtt.bound(), jitter))
  }

  /**
   * Runs `fn` after `ms`. A timer that fires late (this process was starved or frozen) does not
   * act at once: the frames that queued meanwhile (a heartbeat, a higher term) are read first,
   * the way an event loop runs its expired timers before it polls the network.
   */
  protected arm(ms: number, fn: () => void): void {
    this.clearTimer()
    const due = this.host.clock.now() + ms
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined
      if (!this.health.timerFired(due, this.host.clock.now())) return this.guarded(fn)
      this.timer = this.host.clock.setTimeout(() => {
        this.timer = undefined
        this.guarded(fn)
      }, this.health.toleranceMs)
    }, ms)
  }

  /** Runs `fn` from a timer: an exception is a bug, reported instead of taking the process down. */
  protected guarded(fn: () => void): void {
    try {
      fn()
    } catch (cause) {
      this.host.report(new SshipError('internal', `internal error in a coordinator timer: ${String(cause)}`, { cause }))
    }
  }

  protected clearTimer(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  protected emit(e: CoordinatorEvent): void {
    for (const l of this.eventListeners) l(e)
  }

  protected computeSnapshot(): CoordinatorSnapshot {
    return buildSnapshot({
      self: this.host.self, role: this.role, following: this.following, handoffTo: this.handoffTo ?? null,
      epoch: (this.known?.epoch ?? 0) as Epoch, hasTerms: this.host.ledger.head() !== null, app: this.host.app, view: this.view,
      suspectTimeoutMs: this.role === Role.Leader ? this.leaderView.longestTimeout() : this.suspectTimeout(),
      isolated: this.role === Role.Leader && this.leaderView.isolated(this.host.peers()),
      hidden: this.hidden
    })
  }

  protected publish(): void {
    const next = this.computeSnapshot()
    if (sameSnapshot(next, this.snapshot)) return
    this.snapshot = next
    for (const l of this.listeners) l()
  }
}
