import * as Y from 'yjs'
import type { PeerId } from '../ids/ids.js'
import { encodeHandoff, encodeHeartbeat, encodeView, type HandoffRequest, type HeartbeatAck, type TermRef } from '../protocol/coordinatorMessages.js'
import { MAX_EPOCH_STEP } from '../identity/EntryAuthority.js'
import { decisionKey, type DecisionRecord } from './AppDoc.js'
import { LOCAL_ORIGIN } from './CoordinatorBase.js'
import { ElectionRole } from './ElectionRole.js'
import { Retirer, type DueRetirement } from './membership/Retirer.js'
import { deletableBuckets } from './checkpoint/Compactor.js'
import { CHECKPOINT_BYTES } from './checkpoint/Checkpoint.js'
import { Role } from './Role.js'
import { compareTerms, sameTerm, termKey } from './Term.js'

export type { CoordinatorEvent, CoordinatorHost } from './CoordinatorBase.js'

/**
 * The successorship coordinator of one peer: a failure detector on the coordinator's
 * heartbeats, ranked candidacy along the successorship list, terms with strictly growing
 * epochs, graceful handoff for failback, optional quorum elections with a lease, and the
 * request processor while it leads. This file holds the leading side; `FollowerRole` and
 * `ElectionRole` hold the rest, `CoordinatorBase` the shared state.
 */
export class Coordinator extends ElectionRole {
  /** When the last heartbeat round ran, and in which term (a late one means this process was frozen or starved). */
  private lastTickAt = -Infinity
  private lastTickTerm: TermRef | null = null
  /** No decisions before this time: after a freeze, the network is read first (see `tick`). */
  private resumeAt = -Infinity
  private retirer: Retirer | undefined
  /** The checkpoint behind which history was last deleted. */
  private compactedAt = ''

  /** A heartbeat ack from `from` (only a leader cares). */
  onHeartbeatAck(from: PeerId, ack: HeartbeatAck): void {
    this.health.heardRoom()
    // An ack names the follower's term; a term led by a peer outside the list is a forgery.
    if (!this.host.app.eligible().includes(ack.leader) || this.offInstance(ack)) return
    // With identities, an epoch counts only in a term whose leader signed it. Quorum mode also
    // takes the term a follower voted for (it is not written yet; votes are not signed): bounded,
    // so a forged one can force an election but not use up the epochs.
    if (!this.authentic(ack) && !(this.host.quorum && ack.epoch <= this.host.ledger.maxEpoch() + MAX_EPOCH_STEP)) return
    this.noteTerm(ack)
    if (this.role !== Role.Leader || this.myTerm === null) return
    if (compareTerms(ack, this.myTerm) > 0) return this.stepDown(ack)
    if (!sameTerm(ack, this.myTerm)) return
    const replicated = this.leaderView.replicated()
    this.leaderView.acked(from, ack.count)
    if (this.leaderView.replicated() > replicated) this.notifyReplicated()
    if (ack.viewVersion !== this.viewVersion) this.host.send(from, encodeView({ viewVersion: this.viewVersion, alive: this.view }))
    if (this.leaderView.digestMismatch(from, ack.digest !== this.host.sync.digest())) this.host.sync.requestSync(from)
    if (this.host.quorum) this.updateCommitted()
  }

  /**
   * The page (or process) became hidden or frozen (`true`), or visible again (`false`). While
   * hidden this peer stands back: if it leads it hands the role to the next alive eligible peer,
   * it does not stand as a candidate and does not ask for the role back — a backgrounded phone's
   * timers may stop at any moment. On resume it first re-syncs with every peer and acts only
   * after it has heard the room again.
   */
  setHidden(hidden: boolean): void {
    if (hidden === this.hidden || this.role === Role.Stopped) return
    this.hidden = hidden
    const now = this.host.clock.now()
    if (hidden) {
      if (this.role === Role.Leader) this.handOffWhileHidden()
      else if (this.role === Role.Candidate) {
        this.candidacy = undefined
        this.role = Role.Follower
        this.startFailover()
      }
    } else {
      this.health.resumed(now)
      for (const p of this.host.peers()) this.host.sync.requestSync(p)
      if (this.role === Role.Follower) {
        // Silence while hidden says nothing about the coordinator: count from now.
        this.contact.restart(now)
        if (this.following !== null) this.arm(this.suspectTimeout(), () => this.onSuspect())
        else this.startFailover()
      }
    }
    this.publish()
  }

  /** Hands the role to the first alive eligible peer after this one (false if there is none). */
  private handOffWhileHidden(): boolean {
    const term = this.myTerm
    if (this.role !== Role.Leader || term === null) return false
    const alive = new Set(this.view)
    const linked = this.host.peers()
    const to = this.host.app.eligible().find((p) => p !== this.host.self && alive.has(p) && linked.has(p) && !this.suspected.has(p))
    if (to === undefined) return false
    this.role = Role.HandingOff
    this.handoffTo = to
    this.emit({ type: 'handing-off', to })
    this.host.send(to, encodeHandoff({ epoch: term.epoch, leader: term.leader, nonce: term.nonce, count: this.written, update: Y.encodeStateAsUpdate(this.host.app.doc) }))
    this.resumeIfNotTaken()
    this.publish()
    return true
  }

  /**
   * If the successor does not show up, never resume this term: it may have claimed one we do
   * not hear yet, and whatever we decided meanwhile would be fenced (and, in quorum mode, might
   * already be committed). Stand down and let the usual failover pick a coordinator.
   *
   * The successor is given as long as a follower would give a silent coordinator (the adaptive
   * detector's timeout for the slowest follower link, stretched by this peer's local health), not
   * the bare floor: taking over means applying the whole document and (with identities) signing
   * a term, which a starved process does well after one floor. Giving up sooner made this peer
   * claim the next epoch beside the successor's own claim (two terms of one epoch under CPU load).
   */
  private resumeIfNotTaken(): void {
    this.arm(Math.max(this.leaderView.longestTimeout(), this.suspectTimeout()), () => {
      if (this.role !== Role.HandingOff) return
      const to = this.handoffTo
      this.stepDown(null)
      // A successor still linked is most likely claiming, only slowly: give it a hold-down before
      // running ourselves (its heartbeat ends the wait), so the two do not claim one epoch side
      // by side. A successor that is gone is replaced at once.
      this.startFailover(to !== undefined && this.host.peers().has(to) ? this.host.timing.holdDownMs : 0)
    })
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
    this.resumeIfNotTaken()
    this.publish()
  }

  protected stepDown(because: TermRef | null): void {
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
      // The coordinator we now follow gets the detector's timeout stretched by local health, as
      // any coordinator does: a starved peer that gave it the bare floor suspected it before its
      // first heartbeat arrived and claimed the next epoch (a role change from CPU load alone).
      this.arm(this.suspectTimeout(), () => this.onSuspect())
    }
    this.publish()
  }

  protected tick(): void {
    if (this.role !== Role.Leader || this.myTerm === null) return
    // Still hidden and nobody took the role last time: try again (someone may have joined since).
    if (this.hidden && this.handOffWhileHidden()) return
    const now = this.host.clock.now()
    // A heartbeat round more than a suspicion late: this process was frozen (SIGSTOP, a
    // suspended laptop) or starved, and the others may have elected a successor meanwhile. Hold
    // decisions for one heartbeat period, so the frames that queued up (a higher term) are read
    // before this peer decides anything that would only be fenced and re-decided.
    if (sameTerm(this.lastTickTerm, this.myTerm) && now - this.lastTickAt > this.host.timing.suspectMs) this.resumeAt = now + this.host.timing.heartbeatMs
    this.lastTickAt = now
    this.lastTickTerm = this.myTerm
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
    this.retireDue()
    this.checkpointDue()
    this.compact()
    // Missing decisions the chain keeps block deciding: fetch them.
    if (!this.host.ledger.complete()) for (const p of this.host.peers()) this.host.sync.requestSync(p)
    // A quorum-mode coordinator that regained its lease decides what waited meanwhile.
    if (this.host.ledger.pending().size > 0) this.scheduleDrain()
    this.publish()
  }

  /**
   * Retires the member that {@link Retirer} says is due, through an empty decision written in
   * the same transaction, so the retirement is fenced with the term if the term is. Quorum mode
   * changes membership one member at a time: only once everything this term wrote is committed
   * (a fresh term first writes an empty decision and waits for it to commit).
   */
  private retireDue(): void {
    const { membership, timing } = this.host
    if (membership === undefined || this.myTerm === null) return
    this.retirer ??= new Retirer(this.host.app, membership, timing.retireAfterMs)
    const due = this.retirer.due(termKey(this.myTerm), this.host.clock.now(), this.host.self, this.host.peers())
    if (due !== undefined) this.retire(due)
  }

  /** Writes the retirement of `due` (this peer's own on a clean leave). False if it may not decide now. */
  retire(due: DueRetirement): boolean {
    if (!this.mayDecide() || this.myTerm === null) return false
    if (this.host.quorum && (this.written === 0 || this.committed < this.written)) {
      if (this.written === 0) this.writeDecision({ r: null, o: [] })
      return false
    }
    const term = termKey(this.myTerm)
    let ok = false
    this.host.app.doc.transact(() => {
      if (!this.writeDecision({ r: null, o: [], m: { retire: due.id, g: due.g } })) return
      ok = true
      this.host.app.retired.set(due.id, { g: due.g, d: decisionKey(term, this.written - 1) })
      if (this.host.app.leaving.has(due.id)) this.host.app.leaving.delete(due.id)
    }, LOCAL_ORIGIN)
    return ok
  }

  /**
   * Writes a checkpoint once `checkpointEvery` decisions (or about 48 KiB of history) were folded
   * since the last one: an empty decision carrying the folded state and the requests decided so
   * far, so it is fenced with the term if the term is, and every replica may fold from it.
   */
  protected checkpointDue(): void {
    const every = this.host.checkpointEvery ?? 0
    const { ledger } = this.host
    // By count, or by bytes: what stays in the document is about one window (history behind a
    // stable checkpoint is deleted), so a window of max(48 KiB, twice the state) keeps it near that.
    const due = ledger.decisionsSinceBase() >= every || ledger.bytesSinceBase() >= Math.max(CHECKPOINT_BYTES, 2 * ledger.baseStateBytes())
    if (every <= 0 || this.myTerm === null || !due || !this.mayDecide()) return
    // The folded state must be this term's chain with every decision it wrote, nothing else.
    const head = this.host.ledger.head()
    if (head === null || !sameTerm(head, this.myTerm) || this.host.ledger.countOf(termKey(this.myTerm)) !== this.written) return
    this.writeDecision({ r: null, o: [], c: this.host.ledger.checkpointRecord() })
  }

  /**
   * Deletes the history behind this term's newest stable checkpoint: one every current member
   * holds (availability) or a majority does (quorum). Then any later term keeps it (a claimer
   * folds from it), so nobody needs what lies behind it.
   */
  private compact(): void {
    const base = this.host.ledger.base()
    if (base === null || this.myTerm === null || base.term !== termKey(this.myTerm)) return
    // The newest checkpoint of this term that is stable (not necessarily the newest: checkpoints
    // may follow each other faster than acks come back).
    const held = this.host.quorum ? this.committed : this.leaderView.heldByAll(this.written)
    const stable = this.host.ledger.checkpointOf(base.term, held)
    if (stable === undefined || stable.key === this.compactedAt) return
    this.compactedAt = stable.key
    const names = deletableBuckets(this.host.app, this.host.ledger, stable)
    if (names.length > 0) this.host.app.doc.transact(() => this.host.app.log.delete(names), LOCAL_ORIGIN)
  }

  protected updateCommitted(): void {
    const c = this.leaderView.committed(this.written)
    if (c <= this.committed) return
    this.committed = c
    for (const l of this.commitListeners) l()
  }

  /**
   * True while this peer may decide: it leads, holds every kept decision, was not frozen just
   * now (see `tick`), and (quorum mode) holds its lease.
   */
  protected mayDecide(): boolean {
    if (this.role !== Role.Leader || this.myTerm === null) return false
    if (!this.host.ledger.complete()) return false
    const { suspectMs, heartbeatMs } = this.host.timing
    // Frozen since the last heartbeat round, or just resumed from a freeze: read the network first.
    const now = this.host.clock.now()
    if (now - this.lastTickAt > suspectMs || now < this.resumeAt) return false
    // Cut off from every peer it last saw alive: the room has likely elected another coordinator,
    // so nothing is decided (and acknowledged) here until one of them is heard again.
    if (this.leaderView.isolated(this.host.peers())) return false
    return !this.host.quorum || this.leaderView.leaseValid(suspectMs - heartbeatMs)
  }

  protected writeDecision(record: DecisionRecord, force = false): boolean {
    if (this.myTerm === null || this.role !== Role.Leader || (!force && !this.mayDecide())) return false
    const key = decisionKey(termKey(this.myTerm), this.written++)
    this.host.app.doc.transact(() => {
      this.host.app.decisions.set(key, record)
      this.host.signer?.decision(key, record)
    }, LOCAL_ORIGIN)
    if (!this.host.quorum) this.committed = this.written
    return true
  }

  protected scheduleDrain(): void {
    if (this.drainScheduled || this.role !== Role.Leader) return
    this.drainScheduled = true
    this.host.clock.setTimeout(() => {
      this.drainScheduled = false
      this.guarded(() => this.processor.drain(() => this.mayDecide()))
    }, 0)
  }

  protected onLedgerChanged(): void {
    const head = this.host.ledger.head()
    if (head !== null) this.noteTerm(head)
    // Peers of an app instance that lost may know a greater epoch than ours: continue in a new
    // term above it (keeping every decision of ours), so no peer ever sees its epoch go back.
    // Quorum mode does not: a term nobody voted for could tie with a voted one.
    const mine = this.myTerm
    if (this.role === Role.Leader && mine !== null && !this.host.quorum && head !== null && sameTerm(head, mine) &&
      this.host.ledger.maxEpoch() > mine.epoch) {
      this.claim({ parent: termKey(mine), parentCount: this.written })
      return
    }
    // Step down for a greater term, or when our own term turns out to belong to an app instance
    // that lost to an established one (we started without the document and created the app again).
    if (this.role === Role.Leader && this.myTerm !== null && head !== null && (compareTerms(head, this.myTerm) > 0 || this.offInstance(this.myTerm))) {
      this.stepDown(head)
    }
    else if (this.role === Role.Leader) this.scheduleDrain()
    this.publish()
  }
}
