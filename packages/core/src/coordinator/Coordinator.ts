import type { Clock, TimerHandle } from '../clock/Clock.js'
import { FrameError, FrameErrorCode, SshipError } from '../errors/errors.js'
import { MAX_EPOCH, asEpoch, type Epoch, type PeerId } from '../ids/ids.js'
import {
  encodeCatchUpReply, encodeHandoff, encodeHandoffRequest, encodeHeartbeat, encodeHeartbeatAck, encodeView, encodeVoteReply,
  type CatchUpReply, type CatchUpRequest, type Handoff, type HandoffRequest, type Heartbeat, type HeartbeatAck, type TermRef,
  type View, type VoteReply, type VoteRequest
} from '../protocol/coordinatorMessages.js'
import { randomUint32, type Random } from '../random/Random.js'
import type { DocSync } from '../sync/DocSync.js'
import * as YSV from '../sync/stateVector.js'
import { decisionKey, type AppDoc, type DecisionRecord } from './AppDoc.js'
import { Candidacy } from './Candidacy.js'
import { Contact } from './Contact.js'
import { buildSnapshot, sameSnapshot, type CoordinatorSnapshot } from './CoordinatorSnapshot.js'
import type { CanonicalDecision, Ledger } from './Ledger.js'
import { LeaderView } from './LeaderView.js'
import { VoteBook } from './Quorum.js'
import { RequestProcessor } from './RequestProcessor.js'
import { Role } from './Role.js'
import { compareTerms, maxTerm, sameTerm, termKey, type TermKey, type TermRecord } from './Term.js'
import type { TimingOptions } from './timing.js'

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
  /** Quorum mode: only a majority of the eligible peers may elect and keep a coordinator. */
  readonly quorum: boolean
  send(to: PeerId, frame: Uint8Array): void
  peers(): ReadonlySet<PeerId>
  /** Reports an error (a bad message from `from`, or one that must not escape a timer); the peer keeps running. */
  report(error: SshipError, from?: PeerId): void
}

/** Something that happened to the role, for logs, metrics and tests. */
export type CoordinatorEvent =
  | { readonly type: 'claimed'; readonly term: TermRecord; readonly handoff: boolean }
  | { readonly type: 'stepped-down'; readonly term: TermRef; readonly because: TermRef | null }
  | { readonly type: 'following'; readonly term: TermRef }
  | { readonly type: 'suspected'; readonly leader: PeerId }
  | { readonly type: 'handing-off'; readonly to: PeerId }

const LOCAL_ORIGIN = { sship: 'coordinator' }

/**
 * The successorship coordinator of one peer: a failure detector on the coordinator's
 * heartbeats, ranked candidacy along the successorship list, terms with strictly growing
 * epochs, graceful handoff for failback, optional quorum elections with a lease, and the
 * request processor while it leads.
 */
export class Coordinator {
  /** Runs the app's server code while this peer leads. */
  readonly processor: RequestProcessor
  private role: Role = Role.Joining
  private following: TermRef | null = null
  private known: TermRef | null = null
  private myTerm: TermRecord | null = null
  private written = 0
  private committed = 0
  private readonly contact = new Contact()
  private viewVersion = 0
  private view: readonly PeerId[] = []
  private mismatches = 0
  private readonly suspected = new Set<PeerId>()
  private readonly leaderView: LeaderView
  private readonly votes = new VoteBook()
  private timer: TimerHandle | undefined
  private candidacy: Candidacy | undefined
  private handoffTo: PeerId | undefined
  private lastHandoffAsk = -Infinity
  private nonce = 0
  private snapshot: CoordinatorSnapshot
  private readonly listeners = new Set<() => void>()
  private readonly eventListeners = new Set<(e: CoordinatorEvent) => void>()
  private readonly commitListeners = new Set<() => void>()
  private readonly offLedger: () => void
  private readonly offDoc: () => void
  private drainScheduled = false
  private listed = false
  private readonly startedAt: number

  constructor(private readonly host: CoordinatorHost) {
    this.startedAt = host.clock.now()
    this.processor = new RequestProcessor(host.app, host.ledger, (r) => this.writeDecision(r))
    this.leaderView = new LeaderView(host.self, host.clock, host.timing, host.app)
    this.snapshot = this.computeSnapshot()
    this.offLedger = host.ledger.listen({ requestsPending: () => this.scheduleDrain(), changed: () => this.onLedgerChanged() })
    // Join the successorship list as soon as the app's metadata reaches us, whatever brings it.
    const onTransaction = (): void => {
      if (!this.listed && this.role !== Role.Joining && this.role !== Role.Stopped) this.ensureListed(false)
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

  /** Called when more decisions become committed (quorum mode); returns the unsubscribe function. */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener)
    return () => this.commitListeners.delete(listener)
  }

  /** This peer's role. */
  currentRole(): Role {
    return this.role
  }

  /**
   * Whether a canonical decision may be reported to its sender. Always in availability mode; in
   * quorum mode once a majority holds it (directly, or through a later term whose first decision
   * a majority holds), so no later coordinator can fence it.
   */
  isCommitted(d: CanonicalDecision): boolean {
    if (!this.host.quorum) return true
    const current = this.role === Role.Leader ? this.myTerm : this.following
    if (current === null) return false
    const key = termKey(current)
    if (d.term === key) return d.seq < this.committed
    return this.committed >= 1 && this.host.ledger.keeps(key, d.term, d.seq + 1)
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

  // ---- messages -------------------------------------------------------------------------

  /** A heartbeat from `from`. */
  onHeartbeat(from: PeerId, hb: Heartbeat): void {
    if (hb.leader !== from || this.role === Role.Stopped) return
    this.noteTerm(hb)
    if ((this.role === Role.Leader || this.role === Role.HandingOff) && this.myTerm !== null) {
      if (compareTerms(hb, this.myTerm) > 0) this.stepDown(hb)
      else {
        this.host.send(from, this.ack(this.myTerm))
        return
      }
    }
    if (this.known !== null && compareTerms(hb, this.known) < 0) {
      this.host.send(from, this.ack(this.known))
      return
    }
    const now = this.host.clock.now()
    this.contact.heartbeat(hb, now, this.host.timing.suspectMs, this.role === Role.Joining)
    if (!sameTerm(this.following, hb)) {
      // A new term after a failover is not a flap of our own link: the contact streak goes on.
      this.follow(hb)
      this.suspected.clear()
      this.emit({ type: 'following', term: hb })
    }
    this.candidacy = undefined
    this.role = Role.Follower
    this.ensureListed(false)
    this.arm(this.host.timing.suspectMs, () => this.onSuspect())
    this.host.send(from, this.ack(hb))
    if (hb.committed > this.committed) {
      this.committed = hb.committed
      for (const l of this.commitListeners) l()
    }
    if (hb.digest !== this.host.sync.digest()) {
      if (++this.mismatches >= 3) {
        this.mismatches = 0
        this.host.sync.requestSync(from)
      }
    } else this.mismatches = 0
    this.maybeAskHandoff(from, now)
    this.publish()
  }

  /** A heartbeat ack from `from` (only a leader cares). */
  onHeartbeatAck(from: PeerId, ack: HeartbeatAck): void {
    this.noteTerm(ack)
    if (this.role !== Role.Leader || this.myTerm === null) return
    if (compareTerms(ack, this.myTerm) > 0) return this.stepDown(ack)
    if (!sameTerm(ack, this.myTerm)) return
    this.leaderView.acked(from, ack.count)
    if (ack.viewVersion !== this.viewVersion) this.host.send(from, encodeView({ viewVersion: this.viewVersion, alive: this.view }))
    if (this.leaderView.digestMismatch(from, ack.digest !== this.host.sync.digest())) this.host.sync.requestSync(from)
    if (this.host.quorum) this.updateCommitted()
  }

  /** The coordinator's alive view. */
  onView(from: PeerId, view: View): void {
    if (this.following === null || from !== this.following.leader || this.role !== Role.Follower) return
    this.viewVersion = view.viewVersion
    this.view = view.alive
    this.publish()
  }

  /** A candidate asks for what it lacks. */
  onCatchUpRequest(from: PeerId, req: CatchUpRequest): void {
    const update = this.diffFor(from, req.stateVector, 'catch-up request')
    if (update !== undefined) this.host.send(from, encodeCatchUpReply({ nonce: req.nonce, update }))
  }

  /** What we have beyond `stateVector`; a malformed one is reported like any bad frame. */
  private diffFor(from: PeerId, stateVector: Uint8Array, what: string): Uint8Array | undefined {
    const update = YSV.diffUpdate(this.host.app.doc, stateVector)
    if (update === undefined) this.host.report(new FrameError(FrameErrorCode.Malformed, `${what} carries a malformed state vector`), from)
    return update
  }

  /** A reply to our catch-up request. */
  onCatchUpReply(from: PeerId, reply: CatchUpReply): void {
    this.host.sync.applyRemoteUpdate(from, reply.update)
    if (this.role === Role.Candidate && this.candidacy?.onCatchUpReply(from, reply) === true) this.claim(null)
  }

  /** Quorum mode: a candidate asks for our vote. We grant it only if no coordinator is alive for us. */
  onVoteRequest(from: PeerId, req: VoteRequest): void {
    if (!this.host.quorum || req.leader !== from || !this.host.app.eligible().includes(from)) return
    // Only eligible peers vote: a majority is counted over the successorship list.
    if (!this.host.app.eligible().includes(this.host.self)) return
    const now = this.host.clock.now()
    const leaderAlive = this.role === Role.Leader || this.role === Role.HandingOff ||
      (this.following !== null && this.contact.hearsCoordinator(now, this.host.timing.suspectMs))
    // Votes are not persisted yet: a peer that may have voted in an earlier life abstains for a hold-down.
    const amnesic = now - this.startedAt < this.host.timing.holdDownMs
    const granted = !leaderAlive && !amnesic && (this.known === null || compareTerms(req, this.known) > 0) && this.votes.grant(req)
    // Having voted, we refuse the heartbeats of older terms, so the old coordinator loses its lease.
    if (granted) this.noteTerm(req)
    const update = granted ? this.diffFor(from, req.stateVector, 'vote request') : undefined
    this.host.send(from, encodeVoteReply({ epoch: req.epoch, leader: req.leader, nonce: req.nonce, granted, update: update ?? new Uint8Array(0) }))
  }

  /** Quorum mode: a vote on our proposed term. */
  onVoteReply(from: PeerId, reply: VoteReply): void {
    if (reply.granted && reply.update.byteLength > 0) this.host.sync.applyRemoteUpdate(from, reply.update)
    const c = this.candidacy
    if (this.role === Role.Candidate && c?.proposed != null && c.onVoteReply(from, reply)) this.claim(null, c.proposed)
  }

  /** A preferred peer asks for the role back. */
  onHandoffRequest(from: PeerId, req: HandoffRequest): void {
    const term = this.myTerm
    if (this.role !== Role.Leader || term === null || !sameTerm(req, term) || !this.host.failback) return
    if (!this.ranksBefore(from, this.host.self) || !this.mayDecide()) return
    const update = this.diffFor(from, req.stateVector, 'handoff request')
    if (update === undefined) return
    this.role = Role.HandingOff
    this.handoffTo = from
    this.emit({ type: 'handing-off', to: from })
    this.host.send(from, encodeHandoff({ epoch: term.epoch, leader: term.leader, nonce: term.nonce, count: this.written, update }))
    // If the successor never shows up, resume the same term: nothing was written meanwhile.
    this.arm(this.host.timing.suspectMs, () => {
      if (this.role !== Role.HandingOff) return
      this.role = Role.Leader
      this.handoffTo = undefined
      this.tick()
    })
    this.publish()
  }

  /** The coordinator hands us the role. */
  onHandoff(from: PeerId, handoff: Handoff): void {
    if (!sameTerm(handoff, this.following) || from !== handoff.leader || this.host.code === undefined) return
    if (!this.host.sync.applyRemoteUpdate(from, handoff.update)) return
    const parent = termKey(handoff)
    if (this.host.ledger.countOf(parent) < handoff.count) return
    this.claim({ parent, parentCount: handoff.count })
  }

  /** The transport says `peer` left: if it was our coordinator, suspect it now. */
  onPeerLeft(peer: PeerId): void {
    this.host.sync.peerLeft(peer)
    if (this.role === Role.Follower && this.following?.leader === peer) this.onSuspect()
    if (this.role === Role.Leader) this.leaderView.forget(peer)
  }

  // ---- role changes ---------------------------------------------------------------------

  private afterJoinGrace(): void {
    if (this.role !== Role.Joining) return
    this.role = Role.Follower
    this.ensureListed(true)
    this.startFailover()
    this.publish()
  }

  /** Makes sure the app exists and this peer, if it has the server code, is in the successorship list. */
  private ensureListed(mayCreate: boolean): void {
    const { app, code, self } = this.host
    if (code === undefined || this.listed) return
    if (app.code() === undefined && !mayCreate) return
    app.doc.transact(() => {
      if (app.code() === undefined) {
        app.meta.set('initialHost', self)
        app.meta.set('code', code)
      }
      if (!app.successorList().some((e) => e.id === self)) app.successors.push([{ id: self, code }])
    }, LOCAL_ORIGIN)
    this.listed = true
  }

  private onSuspect(): void {
    if (this.role !== Role.Follower) return
    const leader = this.following?.leader
    if (leader !== undefined && leader !== this.host.self) {
      this.suspected.add(leader)
      this.emit({ type: 'suspected', leader })
    }
    this.following = null
    this.startFailover()
    this.publish()
  }

  private startFailover(extraDelay = 0): void {
    this.clearTimer()
    if (!this.host.failover && this.host.ledger.head() !== null) return
    // No app metadata reached us and no coordinator is left to send it: start the app ourselves.
    if (this.host.app.code() === undefined) this.ensureListed(true)
    if (this.host.code === undefined || this.host.app.code() !== this.host.code) return
    const candidates = this.candidates()
    const rank = candidates.indexOf(this.host.self)
    if (rank < 0) return
    // A peer whose own link flapped lately, or a preferred peer that came back lately (it would
    // fail back after the hold-down anyway), waits a hold-down longer, so it does not split the app.
    const { holdDownMs, staggerMs } = this.host.timing
    const last = this.contact.lastFollowed
    const unsettled = this.contact.unsettled(this.host.clock.now(), holdDownMs, last !== null && this.ranksBefore(this.host.self, last.leader))
    this.arm(rank * staggerMs + (unsettled ? holdDownMs : 0) + extraDelay, () => this.beginCandidacy())
  }

  /** Eligible peers believed alive, in successorship order, suspected ones left out. */
  private candidates(): PeerId[] {
    const alive = new Set<PeerId>(this.view.length > 0 ? this.view : this.host.peers())
    alive.add(this.host.self)
    return this.host.app.eligible().filter((p) => alive.has(p) && !this.suspected.has(p))
  }

  private beginCandidacy(): void {
    if (this.role !== Role.Follower || this.following !== null) return
    this.role = Role.Candidate
    // A catch-up skips the suspected coordinator; a vote asks everyone (it may just have stepped down).
    const targets = [...this.host.peers()].filter((p) => this.host.quorum || !this.suspected.has(p))
    const epoch = this.nextEpoch()
    if (epoch === null) return this.abandonCandidacy()
    const proposed = this.host.quorum ? { epoch, leader: this.host.self, nonce: randomUint32(this.host.random) } : null
    const candidacy = new Candidacy(this.host, ++this.nonce, targets, proposed)
    this.candidacy = candidacy
    if (proposed !== null && !this.votes.grant(proposed)) return this.abandonCandidacy()
    candidacy.start()
    if (candidacy.ready()) return this.claim(null, proposed ?? undefined)
    const { catchUpMs, suspectMs } = this.host.timing
    this.arm(proposed === null ? catchUpMs : suspectMs, () => {
      if (this.role !== Role.Candidate || this.candidacy !== candidacy) return
      // Availability mode claims with what it has; quorum mode without a majority tries again later.
      if (proposed === null) this.claim(null)
      else this.abandonCandidacy()
    })
    this.publish()
  }

  private abandonCandidacy(): void {
    this.candidacy = undefined
    this.role = Role.Follower
    this.startFailover(this.host.timing.staggerMs * (1 + this.host.random.next()))
    this.publish()
  }

  /** The epoch of a new term, or null (reported) if a forged epoch used them all up. */
  private nextEpoch(): Epoch | null {
    const next = Math.max(this.host.ledger.maxEpoch(), this.known?.epoch ?? 0, this.votes.lastVote()?.epoch ?? 0) + 1
    if (next > MAX_EPOCH) {
      this.host.report(new SshipError('epochs-exhausted', `no epoch is left above ${MAX_EPOCH}: some peer forged one; this peer will not claim`))
      return null
    }
    return asEpoch(next)
  }

  private claim(handoff: { parent: TermKey; parentCount: number } | null, proposed?: TermRef): void {
    const { ledger, app, self } = this.host
    const epoch = proposed?.epoch ?? this.nextEpoch()
    if (epoch === null) {
      this.candidacy = undefined
      this.role = Role.Follower
      return this.publish()
    }
    const head = ledger.head()
    const parent = handoff?.parent ?? (head === null ? null : termKey(head))
    const parentCount = handoff?.parentCount ?? (parent === null ? 0 : ledger.countOf(parent))
    // A handoff's parent is the head we hold whole (the update came with it); otherwise cut the
    // chain to what we hold, so nothing we decide depends on decisions we could not see.
    const term: TermRecord = {
      epoch, leader: self, nonce: proposed?.nonce ?? randomUint32(this.host.random), parent, parentCount,
      ...(handoff === null ? ledger.cutsBelowHead() : {})
    }
    this.candidacy = undefined
    this.myTerm = term
    this.written = 0
    this.committed = 0
    this.known = maxTerm(this.known, term)
    this.follow(term)
    this.role = Role.Leader
    this.suspected.clear()
    app.doc.transact(() => app.terms.set(termKey(term), { ...term }), LOCAL_ORIGIN)
    this.leaderView.reset(this.host.peers())
    this.emit({ type: 'claimed', term, handoff: handoff !== null })
    // In quorum mode the term opens with an empty decision: once a majority holds it, every
    // decision the term kept from its parents is committed too.
    if (this.host.quorum) this.writeDecision({ r: null, o: [] }, true)
    this.tick()
    this.scheduleDrain()
  }

  private stepDown(because: TermRef | null): void {
    const mine = this.myTerm
    this.role = Role.Follower
    this.myTerm = null
    this.handoffTo = undefined
    this.following = null
    if (because !== null) this.follow(because)
    this.contact.restart(this.host.clock.now())
    if (mine !== null) this.emit({ type: 'stepped-down', term: mine, because })
    if (because?.leader === this.host.self) {
      // A term of an earlier life of this peer (it restarted with an empty document): nobody
      // serves it any more, so look for a coordinator at once.
      this.following = null
      this.startFailover()
    } else {
      this.arm(this.host.timing.suspectMs, () => this.onSuspect())
    }
    this.publish()
  }

  private follow(term: TermRef): void {
    if (!sameTerm(this.following, term)) this.committed = 0
    this.following = { epoch: term.epoch, leader: term.leader, nonce: term.nonce }
    this.contact.lastFollowed = this.following
  }

  private tick(): void {
    if (this.role !== Role.Leader || this.myTerm === null) return
    const alive = this.leaderView.alive(this.host.peers())
    if (alive.changed || this.viewVersion === 0) {
      this.viewVersion++
      this.view = alive.list
    }
    if (this.host.quorum) this.updateCommitted()
    else this.committed = this.written
    const { epoch, leader, nonce } = this.myTerm
    const hb = encodeHeartbeat({
      epoch, leader, nonce, viewVersion: this.viewVersion, digest: this.host.sync.digest(), count: this.written, committed: this.committed
    })
    for (const p of this.host.peers()) this.host.send(p, hb)
    this.arm(this.host.timing.heartbeatMs, () => this.tick())
    // Missing decisions the chain keeps block deciding: fetch them.
    if (!this.host.ledger.complete()) for (const p of this.host.peers()) this.host.sync.requestSync(p)
    // A quorum-mode coordinator that regained its lease decides what waited meanwhile.
    if (this.host.ledger.pending().size > 0) this.scheduleDrain()
    this.publish()
  }

  private updateCommitted(): void {
    const c = this.leaderView.committed(this.written)
    if (c <= this.committed) return
    this.committed = c
    for (const l of this.commitListeners) l()
  }

  private maybeAskHandoff(leader: PeerId, now: number): void {
    const { failback, timing, code, app } = this.host
    if (!failback || code === undefined || app.code() !== code || this.following === null) return
    if (this.contact.streak(now) < timing.holdDownMs || now - this.lastHandoffAsk < timing.suspectMs) return
    if (!this.ranksBefore(this.host.self, leader)) return
    this.lastHandoffAsk = now
    this.host.send(leader, encodeHandoffRequest({ ...this.following, stateVector: YSV.encode(app.doc) }))
  }

  private ranksBefore(a: PeerId, b: PeerId): boolean {
    const list = this.host.app.eligible()
    const ia = list.indexOf(a)
    const ib = list.indexOf(b)
    return ia >= 0 && (ib < 0 || ia < ib)
  }

  /** True while this peer may decide: it leads, holds every kept decision, and (quorum mode) its lease. */
  private mayDecide(): boolean {
    if (this.role !== Role.Leader || this.myTerm === null) return false
    if (!this.host.ledger.complete()) return false
    const { suspectMs, heartbeatMs } = this.host.timing
    return !this.host.quorum || this.leaderView.leaseValid(suspectMs - heartbeatMs)
  }

  private writeDecision(record: DecisionRecord, force = false): boolean {
    if (this.myTerm === null || this.role !== Role.Leader || (!force && !this.mayDecide())) return false
    const key = decisionKey(termKey(this.myTerm), this.written++)
    this.host.app.doc.transact(() => this.host.app.decisions.set(key, record), LOCAL_ORIGIN)
    if (!this.host.quorum) this.committed = this.written
    return true
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.role !== Role.Leader) return
    this.drainScheduled = true
    this.host.clock.setTimeout(() => {
      this.drainScheduled = false
      this.guarded(() => this.processor.drain(() => this.mayDecide()))
    }, 0)
  }

  private onLedgerChanged(): void {
    const head = this.host.ledger.head()
    if (head !== null) this.noteTerm(head)
    if (this.role === Role.Leader && this.myTerm !== null && head !== null && compareTerms(head, this.myTerm) > 0) this.stepDown(head)
    else if (this.role === Role.Leader) this.scheduleDrain()
    this.publish()
  }

  private noteTerm(term: TermRef): void {
    this.known = maxTerm(this.known, { epoch: term.epoch, leader: term.leader, nonce: term.nonce })
  }

  private ack(term: TermRef): Uint8Array {
    const { epoch, leader, nonce } = term
    return encodeHeartbeatAck({
      epoch, leader, nonce, viewVersion: this.viewVersion, digest: this.host.sync.digest(),
      // Quorum commits count only replicas that hold everything the term's chain keeps.
      count: this.host.quorum && !this.host.ledger.wholeFrom(termKey(term)) ? 0 : this.host.ledger.countOf(termKey(term))
    })
  }

  // ---- plumbing -------------------------------------------------------------------------

  private arm(ms: number, fn: () => void): void {
    this.clearTimer()
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined
      this.guarded(fn)
    }, ms)
  }

  /** Runs `fn` from a timer: an exception is a bug, reported instead of taking the process down. */
  private guarded(fn: () => void): void {
    try {
      fn()
    } catch (cause) {
      this.host.report(new SshipError('internal', `internal error in a coordinator timer: ${String(cause)}`, { cause }))
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private emit(e: CoordinatorEvent): void {
    for (const l of this.eventListeners) l(e)
  }

  private computeSnapshot(): CoordinatorSnapshot {
    return buildSnapshot({
      self: this.host.self, role: this.role, following: this.following, handoffTo: this.handoffTo ?? null,
      epoch: (this.known?.epoch ?? 0) as Epoch, hasTerms: this.host.ledger.head() !== null, app: this.host.app, view: this.view
    })
  }

  private publish(): void {
    const next = this.computeSnapshot()
    if (sameSnapshot(next, this.snapshot)) return
    this.snapshot = next
    for (const l of this.listeners) l()
  }
}
