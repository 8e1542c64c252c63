import type { Clock, TimerHandle } from '../clock/Clock.js'
import { asEpoch, type Epoch, type PeerId } from '../ids/ids.js'
import { randomUint32, type Random } from '../random/Random.js'
import {
  encodeCatchUpReply, encodeCatchUpRequest, encodeHandoff, encodeHandoffRequest, encodeHeartbeat, encodeHeartbeatAck, encodeView,
  type CatchUpReply, type CatchUpRequest, type Handoff, type HandoffRequest, type Heartbeat, type HeartbeatAck, type TermRef, type View
} from '../protocol/coordinatorMessages.js'
import type { DocSync } from '../sync/DocSync.js'
import * as YSV from '../sync/stateVector.js'
import { decisionKey, type AppDoc, type DecisionRecord } from './AppDoc.js'
import { sameSnapshot, type CoordinatorSnapshot } from './CoordinatorSnapshot.js'
import type { Ledger } from './Ledger.js'
import { LeaderView } from './LeaderView.js'
import { RequestProcessor } from './RequestProcessor.js'
import { Role } from './Role.js'
import { compareTerms, maxTerm, sameTerm, termKey, type TermKey, type TermRecord } from './Term.js'
import type { TimingOptions } from './timing.js'

/** What the coordinator needs from the peer that owns it. */
export interface CoordinatorHost {
  readonly self: PeerId
  readonly clock: Clock
  /** Draws term nonces. */
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
  send(to: PeerId, frame: Uint8Array): void
  peers(): ReadonlySet<PeerId>
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
 * epochs, graceful handoff for failback, and the request processor while it leads.
 */
export class Coordinator {
  /** Runs the app's server code while this peer leads. */
  readonly processor: RequestProcessor
  private role: Role = Role.Joining
  private following: TermRef | null = null
  private known: TermRef | null = null
  private myTerm: TermRecord | null = null
  private written = 0
  private lastHeartbeatAt = -Infinity
  private streakStart = 0
  private lastFlapAt = -Infinity
  private lastFollowed: TermRef | null = null
  private viewVersion = 0
  private view: readonly PeerId[] = []
  private mismatches = 0
  private readonly suspected = new Set<PeerId>()
  private readonly leaderView: LeaderView
  private timer: TimerHandle | undefined
  private candidacy: { nonce: number; waiting: Set<PeerId> } | undefined
  private handoffTo: PeerId | undefined
  private lastHandoffAsk = -Infinity
  private nonce = 0
  private snapshot: CoordinatorSnapshot
  private readonly listeners = new Set<() => void>()
  private readonly eventListeners = new Set<(e: CoordinatorEvent) => void>()
  private readonly offLedger: () => void
  private readonly offDoc: () => void
  private drainScheduled = false
  private listed = false

  constructor(private readonly host: CoordinatorHost) {
    this.processor = new RequestProcessor(host.app, host.ledger, (r) => this.writeDecision(r))
    this.leaderView = new LeaderView(host.self, host.clock, host.timing, host.app)
    this.snapshot = this.computeSnapshot()
    this.offLedger = host.ledger.listen({
      requestsPending: () => this.scheduleDrain(),
      changed: () => this.onLedgerChanged()
    })
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

  /** This peer's role. */
  currentRole(): Role {
    return this.role
  }

  /** Stops all timers; the peer goes silent (no goodbye is needed: others detect it). */
  stop(): void {
    this.clearTimer()
    this.role = Role.Stopped
    this.offLedger()
    this.offDoc()
    this.listeners.clear()
    this.eventListeners.clear()
  }

  // ---- messages -------------------------------------------------------------------------

  /** A heartbeat from `from`. */
  onHeartbeat(from: PeerId, hb: Heartbeat): void {
    if (hb.leader !== from || this.role === Role.Stopped) return
    this.noteTerm(hb)
    if (this.role === Role.Leader || this.role === Role.HandingOff) {
      if (this.myTerm !== null && compareTerms(hb, this.myTerm) > 0) this.stepDown(hb)
      else if (this.role === Role.Leader) {
        this.host.send(from, this.ack(this.myTerm ?? hb))
        return
      }
    }
    if (this.known !== null && compareTerms(hb, this.known) < 0) {
      this.host.send(from, this.ack(this.known))
      return
    }
    const now = this.host.clock.now()
    const gap = now - this.lastHeartbeatAt > this.host.timing.suspectMs
    if (this.role === Role.Joining) {
      this.streakStart = now
      this.ensureListed(false)
    }
    if (gap && sameTerm(this.lastFollowed, hb)) {
      // The same coordinator went on beating while we heard nothing: our own link flapped.
      this.streakStart = now
      this.lastFlapAt = now
    }
    if (!sameTerm(this.following, hb)) {
      // A new term after a failover is not a flap of our own link: the contact streak goes on.
      this.following = { epoch: hb.epoch, leader: hb.leader, nonce: hb.nonce }
      this.lastFollowed = this.following
      this.suspected.clear()
      this.emit({ type: 'following', term: this.following })
    }
    if (!this.listed) this.ensureListed(false)
    this.lastHeartbeatAt = now
    this.candidacy = undefined
    this.role = Role.Follower
    this.arm(this.host.timing.suspectMs, () => this.onSuspect())
    this.host.send(from, this.ack(hb))
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
    if (compareTerms(ack, this.myTerm) > 0) {
      this.stepDown(ack)
      return
    }
    this.leaderView.acked(from)
    if (ack.viewVersion !== this.viewVersion) this.host.send(from, encodeView({ viewVersion: this.viewVersion, alive: this.view }))
    if (this.leaderView.digestMismatch(from, ack.digest !== this.host.sync.digest())) this.host.sync.requestSync(from)
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
    const update = YSV.diffUpdate(this.host.app.doc, req.stateVector)
    if (update !== undefined) this.host.send(from, encodeCatchUpReply({ nonce: req.nonce, update }))
  }

  /** A reply to our catch-up request. */
  onCatchUpReply(from: PeerId, reply: CatchUpReply): void {
    this.host.sync.applyRemoteUpdate(from, reply.update)
    const c = this.candidacy
    if (c === undefined || c.nonce !== reply.nonce || this.role !== Role.Candidate) return
    c.waiting.delete(from)
    if (c.waiting.size === 0) this.claim(null)
  }

  /** A preferred peer asks for the role back. */
  onHandoffRequest(from: PeerId, req: HandoffRequest): void {
    if (this.role !== Role.Leader || this.myTerm === null || !sameTerm(req, this.myTerm) || !this.host.failback) return
    if (!this.ranksBefore(from, this.host.self)) return
    const update = YSV.diffUpdate(this.host.app.doc, req.stateVector)
    if (update === undefined) return
    this.role = Role.HandingOff
    this.handoffTo = from
    this.emit({ type: 'handing-off', to: from })
    this.host.send(from, encodeHandoff({ epoch: this.myTerm.epoch, leader: this.myTerm.leader, nonce: this.myTerm.nonce, count: this.written, update }))
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

  private startFailover(): void {
    this.clearTimer()
    if (!this.host.failover && this.host.ledger.head() !== null) return
    if (this.host.code === undefined || this.host.app.code() !== this.host.code) return
    const candidates = this.candidates()
    const rank = candidates.indexOf(this.host.self)
    if (rank < 0) return
    // A peer whose own link flapped lately, or a preferred peer that came back lately (it would
    // fail back after the hold-down anyway), waits a hold-down longer, so it does not split the app.
    const { holdDownMs } = this.host.timing
    const returning = this.lastFollowed !== null && this.lastHeartbeatAt - this.streakStart < holdDownMs &&
      this.ranksBefore(this.host.self, this.lastFollowed.leader)
    const settled = this.host.clock.now() - this.lastFlapAt >= holdDownMs && !returning
    const delay = rank * this.host.timing.staggerMs + (settled ? 0 : this.host.timing.holdDownMs)
    this.arm(delay, () => this.beginCandidacy())
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
    const targets = new Set([...this.host.peers()].filter((p) => !this.suspected.has(p)))
    const nonce = ++this.nonce
    this.candidacy = { nonce, waiting: targets }
    const stateVector = YSV.encode(this.host.app.doc)
    for (const p of targets) this.host.send(p, encodeCatchUpRequest({ nonce, stateVector }))
    if (targets.size === 0) this.claim(null)
    else this.arm(this.host.timing.catchUpMs, () => {
      if (this.role === Role.Candidate && this.candidacy?.nonce === nonce) this.claim(null)
    })
    this.publish()
  }

  private claim(handoff: { parent: TermKey; parentCount: number } | null): void {
    const { ledger, app, self } = this.host
    const head = ledger.head()
    const parent = handoff?.parent ?? (head === null ? null : termKey(head))
    const parentCount = handoff?.parentCount ?? (parent === null ? 0 : ledger.countOf(parent))
    const epoch = asEpoch(Math.max(ledger.maxEpoch(), this.known?.epoch ?? 0) + 1)
    const term: TermRecord = { epoch, leader: self, nonce: randomUint32(this.host.random), parent, parentCount }
    this.candidacy = undefined
    this.myTerm = term
    this.written = 0
    this.known = term
    this.following = term
    this.role = Role.Leader
    this.suspected.clear()
    app.doc.transact(() => app.terms.set(termKey(term), { ...term }), LOCAL_ORIGIN)
    this.leaderView.reset(this.host.peers())
    this.emit({ type: 'claimed', term, handoff: handoff !== null })
    this.tick()
    this.scheduleDrain()
  }

  private stepDown(because: TermRef | null): void {
    const mine = this.myTerm
    this.role = Role.Follower
    this.myTerm = null
    this.handoffTo = undefined
    this.following = because === null ? null : { epoch: because.epoch, leader: because.leader, nonce: because.nonce }
    if (this.following !== null) this.lastFollowed = this.following
    this.lastHeartbeatAt = this.host.clock.now()
    this.streakStart = this.lastHeartbeatAt
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

  private tick(): void {
    if (this.role !== Role.Leader || this.myTerm === null) return
    const alive = this.leaderView.alive(this.host.peers())
    if (alive.changed || this.viewVersion === 0) {
      this.viewVersion++
      this.view = alive.list
    }
    const hb = encodeHeartbeat({
      epoch: this.myTerm.epoch, leader: this.myTerm.leader, nonce: this.myTerm.nonce, viewVersion: this.viewVersion,
      digest: this.host.sync.digest(), count: this.written
    })
    for (const p of this.host.peers()) this.host.send(p, hb)
    this.arm(this.host.timing.heartbeatMs, () => this.tick())
    this.publish()
  }

  private maybeAskHandoff(leader: PeerId, now: number): void {
    const { failback, timing, code, app } = this.host
    if (!failback || code === undefined || app.code() !== code || this.following === null) return
    if (now - this.streakStart < timing.holdDownMs || now - this.lastHandoffAsk < timing.suspectMs) return
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

  private writeDecision(record: DecisionRecord): boolean {
    if (this.role !== Role.Leader || this.myTerm === null) return false
    const key = decisionKey(termKey(this.myTerm), this.written++)
    this.host.app.doc.transact(() => this.host.app.decisions.set(key, record))
    return true
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.role !== Role.Leader) return
    this.drainScheduled = true
    this.host.clock.setTimeout(() => {
      this.drainScheduled = false
      this.processor.drain(() => this.role === Role.Leader)
    }, 0)
  }

  private onLedgerChanged(): void {
    const head = this.host.ledger.head()
    if (head !== null) this.noteTerm(head)
    if (this.role === Role.Leader && this.myTerm !== null && head !== null && compareTerms(head, this.myTerm) > 0) {
      this.stepDown(head)
    }
    this.publish()
  }

  private noteTerm(term: TermRef): void {
    this.known = maxTerm(this.known, { epoch: term.epoch, leader: term.leader, nonce: term.nonce })
  }

  private ack(term: TermRef): Uint8Array {
    return encodeHeartbeatAck({ epoch: term.epoch, leader: term.leader, nonce: term.nonce, viewVersion: this.viewVersion, digest: this.host.sync.digest() })
  }

  // ---- plumbing -------------------------------------------------------------------------

  private arm(ms: number, fn: () => void): void {
    this.clearTimer()
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined
      fn()
    }, ms)
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private emit(e: CoordinatorEvent): void {
    for (const l of this.eventListeners) l(e)
  }

  private computeSnapshot(): CoordinatorSnapshot {
    const leading = this.role === Role.Leader
    const coordinator = leading ? this.host.self : this.role === Role.Follower || this.role === Role.HandingOff ? (this.following?.leader ?? null) : null
    const epoch = this.known?.epoch ?? 0
    return {
      self: this.host.self,
      role: this.role,
      coordinator: this.role === Role.HandingOff ? (this.handoffTo ?? null) : coordinator,
      epoch: epoch as Epoch,
      isServer: leading,
      failoverInProgress: !leading && this.following === null && this.host.ledger.head() !== null,
      successors: this.host.app.eligible(),
      alive: this.view,
      initialHost: this.host.app.initialHost() ?? null
    }
  }

  private publish(): void {
    const next = this.computeSnapshot()
    if (sameSnapshot(next, this.snapshot)) return
    this.snapshot = next
    for (const l of this.listeners) l()
  }
}

