import { SshipError } from '../errors/errors.js'
import { MAX_EPOCH, asEpoch, type Epoch, type PeerId } from '../ids/ids.js'
import {
  encodeCatchUpReply, encodeCatchUpRequest, encodeVoteReply, MAX_SILENT_MS, type CatchUpReply, type CatchUpRequest, type TermRef, type VoteReply, type VoteRequest
} from '../protocol/coordinatorMessages.js'
import { randomUint32 } from '../random/Random.js'
import * as YSV from '../sync/stateVector.js'
import { MAX_EPOCH_STEP } from '../identity/EntryAuthority.js'
import { Candidacy } from './Candidacy.js'
import { LOCAL_ORIGIN } from './CoordinatorBase.js'
import { FollowerRole } from './FollowerRole.js'
import { Role } from './Role.js'
import { compareTerms, maxTerm, sameTerm, termKey, type TermKey, type TermRecord } from './Term.js'

/** How many peers an indirect follower asks per probe (as in SWIM's indirect probes). */
const PROBE_FANOUT = 3

/**
 * Succession: ranked candidacy along the successorship list, catch-up (availability mode) or
 * majority votes (quorum mode), and claiming a term whose record keeps exactly the decisions
 * this peer holds.
 */
export abstract class ElectionRole extends FollowerRole {
  /** A candidate (or an indirect follower's probe) asks for what it lacks and whom we hear. */
  onCatchUpRequest(from: PeerId, req: CatchUpRequest): void {
    const update = this.diffFor(from, req.stateVector, 'catch-up request')
    if (update !== undefined) this.host.send(from, encodeCatchUpReply({ nonce: req.nonce, update, heard: this.hearsDirectly(req.silentMs) }))
  }

  /** A reply to our catch-up request (a candidacy's or a probe's). */
  onCatchUpReply(from: PeerId, reply: CatchUpReply): void {
    this.host.sync.applyRemoteUpdate(from, reply.update)
    this.health.heardRoom()
    if (this.candidacy?.nonce === reply.nonce || this.probeNonce === reply.nonce) this.rtt.sample(this.host.clock.now() - this.catchUpSentAt)
    const asked = (this.role === Role.Candidate && this.candidacy?.nonce === reply.nonce) ||
      (this.role === Role.Follower && this.probeNonce === reply.nonce)
    if (asked && reply.heard !== null && this.vouchable(reply.heard)) return this.followIndirectly(reply.heard)
    if (this.role === Role.Candidate && this.candidacy?.onCatchUpReply(from, reply) === true) this.claim(null)
  }

  /**
   * The term of the coordinator this peer hears itself, for a peer that does not (silent for
   * `askerSilentMs`): our own term if we lead; the one we follow if its last heartbeat is younger
   * than a suspicion minus one heartbeat period and came after the asker's last one (by half a
   * heartbeat period), so a coordinator that just died — whose last heartbeat reached everyone
   * alike — is not vouched for. An indirect follower vouches for nobody, so two cut-off peers
   * cannot keep a dead coordinator alive for each other.
   */
  private hearsDirectly(askerSilentMs: number): TermRef | null {
    if ((this.role === Role.Leader || this.role === Role.HandingOff) && this.myTerm !== null) {
      const { epoch, leader, nonce } = this.myTerm
      return { epoch, leader, nonce }
    }
    const { heartbeatMs } = this.host.timing
    const age = this.host.clock.now() - this.contact.lastHeartbeatAt
    const fresh = age <= this.suspectTimeout() - heartbeatMs && age + heartbeatMs / 2 < askerSilentMs
    return this.role === Role.Follower && !this.indirect && this.following !== null && fresh ? this.following : null
  }

  /** How long this peer has not heard a coordinator itself (for a catch-up request). */
  protected silentMs(): number {
    return Math.min(MAX_SILENT_MS, this.host.clock.now() - this.contact.lastHeartbeatAt)
  }

  /**
   * True if a term a peer hears may be followed without hearing it: not ours, led by a member,
   * not older than what we know, and written in our replica (the reply brought what we lacked),
   * so a peer cannot vouch for a term that was never claimed.
   */
  private vouchable(term: TermRef): boolean {
    return term.leader !== this.host.self && this.host.app.eligible().includes(term.leader) &&
      !this.olderThanKnown(term) && this.host.ledger.term(termKey(term)) !== undefined
  }

  /** Follows `term` on a peer's word: our link to its coordinator is broken, theirs is not. */
  private followIndirectly(term: TermRef): void {
    this.candidacy = undefined
    this.probeNonce = undefined
    this.indirect = true
    this.role = Role.Follower
    this.noteTerm(term)
    if (!sameTerm(this.following, term)) {
      this.follow(term)
      this.emit({ type: 'following', term })
    }
    this.arm(this.suspectTimeout(), () => this.onSuspect())
    this.publish()
  }

  /**
   * An indirect follower's liveness probe: a catch-up request to a few peers (not the
   * coordinator); a reply that still hears it renews the indirect following, silence for a
   * catch-up period means the coordinator is gone (see `onSuspect`).
   */
  protected probeIndirectly(): void {
    const leader = this.following?.leader
    const peers = [...this.host.peers()].filter((p) => p !== leader && this.host.app.eligible().includes(p))
    const nonce = ++this.nonce
    this.probeNonce = nonce
    const frame = encodeCatchUpRequest({ nonce, stateVector: YSV.encode(this.host.app.doc), silentMs: this.silentMs() })
    this.catchUpSentAt = this.host.clock.now()
    for (let i = 0; i < PROBE_FANOUT && peers.length > 0; i++) {
      const [target] = peers.splice(Math.floor(this.host.random.next() * peers.length), 1)
      if (target !== undefined) this.host.send(target, frame)
    }
    this.arm(this.confirmMs(leader), () => {
      if (this.probeNonce === nonce) this.onSuspect()
    })
  }

  /** Quorum mode: a candidate asks for our vote. We grant it only if no coordinator is alive for us. */
  onVoteRequest(from: PeerId, req: VoteRequest): void {
    if (!this.host.quorum || req.leader !== from || !this.host.app.members().includes(from)) return
    // With identities a proposed epoch may not jump further than a signed term could.
    if (this.host.signer !== undefined && req.epoch > this.host.ledger.maxEpoch() + MAX_EPOCH_STEP) return
    // Only current members vote: a majority is counted over them (see membership/Membership.ts).
    if (!this.host.app.members().includes(this.host.self)) return
    const now = this.host.clock.now()
    // Without the stall patience: a candidate stands only after its own suspicion (or a handoff),
    // and a failback handoff leaves the old coordinator silent, so voters that waited `stallMs`
    // for it would refuse every retry of the returning peer's election.
    // A coordinator handing the role off votes for the peer it hands off to (in quorum mode that
    // peer must win an election; without this vote a three-peer room looped claim → handoff → claim).
    const handingToIt = this.role === Role.HandingOff && this.handoffTo === from
    const leaderAlive = this.role === Role.Leader || (this.role === Role.HandingOff && !handingToIt) ||
      (this.following !== null && this.contact.hearsCoordinator(now, this.detector.timeout(this.following.leader, this.host.timing.suspectMs)))
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

  protected startFailover(extraDelay = 0): void {
    this.clearTimer()
    if (!this.host.failover && this.host.ledger.head() !== null) return
    // No app metadata reached us and no coordinator is left to send it: start the app ourselves.
    if (this.host.app.code() === undefined) this.ensureListed(true)
    // A peer that may not claim (a client, other code) still looks for a coordinator it cannot hear itself.
    const lookAround = (): void => this.arm(this.host.timing.suspectMs, () => this.probeIndirectly())
    // A hidden (backgrounded, frozen) page stands back: its timers may stop at any moment.
    if (this.host.code === undefined || this.host.app.code() !== this.host.code || this.hidden) return lookAround()
    const candidates = this.candidates()
    const rank = candidates.indexOf(this.host.self)
    if (rank < 0) return lookAround()
    // A peer whose own link flapped lately, or a preferred peer that came back lately (it would
    // fail back after the hold-down anyway), waits a hold-down longer, so it does not split the app.
    const { holdDownMs, staggerMs } = this.host.timing
    const last = this.contact.lastFollowed
    const unsettled = this.contact.unsettled(this.host.clock.now(), holdDownMs, last !== null && this.ranksBefore(this.host.self, last.leader))
    this.arm(rank * staggerMs + (unsettled ? holdDownMs : 0) + extraDelay, () => this.beginCandidacy())
  }

  /** Eligible peers believed alive, in successorship order, suspected ones left out. */
  protected candidates(): PeerId[] {
    const alive = new Set<PeerId>(this.view.length > 0 ? this.view : this.host.peers())
    alive.add(this.host.self)
    return this.host.app.members().filter((p) => alive.has(p) && !this.suspected.has(p))
  }

  protected beginCandidacy(): void {
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
    this.catchUpSentAt = this.host.clock.now()
    candidacy.start(this.silentMs())
    if (candidacy.ready()) return this.claim(null, proposed ?? undefined)
    const { catchUpMs, suspectMs } = this.host.timing
    if (proposed !== null) {
      // Quorum mode without a majority tries again later.
      this.arm(suspectMs, () => {
        if (this.role === Role.Candidate && this.candidacy === candidacy) this.abandonCandidacy()
      })
    } else {
      const confirm = this.confirmMs(this.contact.lastFollowed?.leader)
      // Where a dead peer's link closes (and so leaves `waiting` at once), a peer that has not
      // answered is alive and slow: over TCP on a lossy Wi-Fi a reply waits out a retransmission
      // (200 ms and more). Claiming without it would re-decide what it holds — an answer given
      // twice — so wait up to `catchUpMaxMs` for it.
      const patience = this.host.closesOnCrash === true ? this.host.timing.catchUpMaxMs : 0
      const deadline = this.host.clock.now() + Math.max(confirm, suspectMs, patience)
      // Availability mode waits for every reachable peer's catch-up (asking again those that did not
      // answer: a lost frame or a slow link), so a decision that reached anyone alive is kept rather
      // than re-decided; it claims with what it has after at most max(confirmation, suspicion).
      const wait = (): void => {
        if (this.role !== Role.Candidate || this.candidacy !== candidacy) return
        const left = deadline - this.host.clock.now()
        if (left <= 0 || candidacy.resend() === 0) return this.claim(null)
        this.arm(Math.min(catchUpMs, left), wait)
      }
      this.arm(confirm, () => {
        if (this.role !== Role.Candidate || this.candidacy !== candidacy) return
        // Nobody answered: this peer may be the one cut off (Lifeguard's missed nacks).
        if (candidacy.answered === 0 && targets.length > 0) this.health.unanswered(this.host.clock.now())
        // Just woken from a freeze and not heard the room yet: everything this peer believes is stale.
        if (this.health.waking(this.host.clock.now())) return this.abandonCandidacy()
        wait()
      })
    }
    this.publish()
  }

  protected abandonCandidacy(): void {
    this.candidacy = undefined
    this.role = Role.Follower
    this.startFailover(this.host.timing.staggerMs * (1 + this.host.random.next()))
    this.publish()
  }

  /** The epoch of a new term, or null (reported) if a forged epoch used them all up. */
  protected nextEpoch(): Epoch | null {
    const next = Math.max(this.host.ledger.maxEpoch(), this.known?.epoch ?? 0, this.votes.lastVote()?.epoch ?? 0) + 1
    if (next > MAX_EPOCH) {
      this.host.report(new SshipError('epochs-exhausted', `no epoch is left above ${MAX_EPOCH}: some peer forged one; this peer will not claim`))
      return null
    }
    return asEpoch(next)
  }

  protected claim(handoff: { parent: TermKey; parentCount: number } | null, proposed?: TermRef): void {
    const { ledger, app, self } = this.host
    const epoch = proposed?.epoch ?? this.nextEpoch()
    if (epoch === null) {
      this.candidacy = undefined
      this.role = Role.Follower
      return this.publish()
    }
    // A handoff's parent is the head we hold whole (the update came with it); otherwise keep
    // exactly a prefix we hold whole, so nothing we decide depends on decisions we could not see.
    const basis = handoff ?? ledger.claimBasis()
    const instance = app.instance()
    const term: TermRecord = { epoch, leader: self, nonce: proposed?.nonce ?? randomUint32(this.host.random), ...basis, ...(instance !== '' ? { i: instance } : {}) }
    this.candidacy = undefined
    this.indirect = false
    this.probeNonce = undefined
    this.myTerm = term
    this.written = 0
    this.committed = 0
    this.known = maxTerm(this.known, term)
    this.follow(term)
    this.role = Role.Leader
    const room = this.expectedRoom()
    this.suspected.clear()
    app.doc.transact(() => {
      app.terms.set(termKey(term), { ...term })
      this.host.signer?.term(termKey(term), term)
    }, LOCAL_ORIGIN)
    this.leaderView.reset(this.host.peers(), room)
    this.emit({ type: 'claimed', term, handoff: handoff !== null })
    // In quorum mode the term opens with an empty decision: once a majority holds it, every
    // decision the term kept from its parents is committed too.
    if (this.host.quorum) this.writeDecision({ r: null, o: [] }, true)
    this.tick()
    this.scheduleDrain()
  }
}
