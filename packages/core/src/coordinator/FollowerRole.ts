import type { PeerId } from '../ids/ids.js'
import { encodeHandoffRequest, type Handoff, type Heartbeat, type View } from '../protocol/coordinatorMessages.js'
import * as YSV from '../sync/stateVector.js'
import type { LeaveReason } from '../transport/Transport.js'
import { CoordinatorBase } from './CoordinatorBase.js'
import { Role } from './Role.js'
import { compareTerms, sameTerm, termKey } from './Term.js'

/**
 * The follower's side of the coordinator: heartbeats (following, flap detection, repairs by
 * digest), the alive view, suspicion of a silent coordinator, and failback — asking for the role
 * back after the hold-down, and taking it when it is handed over.
 */
export abstract class FollowerRole extends CoordinatorBase {
  /** A heartbeat from `from`. */
  onHeartbeat(from: PeerId, hb: Heartbeat): void {
    if (hb.leader !== from || this.role === Role.Stopped) return
    // Only a peer of the successorship list may lead: anything else is a forgery (or a peer whose
    // list entry has not reached us yet; its next heartbeat will do).
    if (!this.host.app.eligible().includes(hb.leader)) return
    // With identities, only a term whose signed record we hold: a member cannot make up an epoch.
    if (!this.authentic(hb) || this.offInstance(hb)) return
    this.noteTerm(hb)
    if ((this.role === Role.Leader || this.role === Role.HandingOff) && this.myTerm !== null) {
      if (compareTerms(hb, this.myTerm) > 0) this.stepDown(hb)
      else {
        this.host.send(from, this.ack(this.myTerm))
        return
      }
    }
    if (this.known !== null && this.olderThanKnown(hb)) {
      this.host.send(from, this.ack(this.known))
      return
    }
    const now = this.host.clock.now()
    // Direct contact starts now for a peer that followed through others: failback counts from here.
    if (this.indirect) this.contact.restart(now)
    this.health.heardRoom()
    this.contact.heartbeat(hb, now, this.host.timing.suspectMs, this.suspectTimeout(), this.role === Role.Joining)
    this.detector.heard(from, now)
    if (!sameTerm(this.following, hb)) {
      // A new term after a failover is not a flap of our own link: the contact streak goes on.
      this.follow(hb)
      this.suspected.clear()
      this.emit({ type: 'following', term: hb })
    }
    this.candidacy = undefined
    this.indirect = false
    this.probeNonce = undefined
    this.role = Role.Follower
    this.ensureListed(false)
    this.arm(this.suspectTimeout(), () => this.onSuspect())
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

  /** The coordinator's alive view. */
  onView(from: PeerId, view: View): void {
    if (this.following === null || from !== this.following.leader || this.role !== Role.Follower) return
    this.viewVersion = view.viewVersion
    this.view = view.alive
    this.publish()
  }

  /**
   * The transport says `peer` left: if it was our coordinator, suspect it now (a closed link is
   * the strongest evidence of death there is; one given up for silence was silent long enough).
   */
  onPeerLeft(peer: PeerId, reason?: LeaveReason): void {
    this.host.sync.peerLeft(peer)
    if (this.role === Role.Follower && this.following?.leader === peer) this.onSuspect()
    // A candidate does not wait for the catch-up of a peer that is gone.
    if (this.role === Role.Candidate && this.candidacy?.proposed === null && this.candidacy.peerLeft(peer)) this.claim(null)
    if (this.role === Role.Leader) {
      this.leaderView.forget(peer, reason === 'silent')
      // Decisions that waited for a copy elsewhere may be reportable now (this peer is alone).
      this.notifyReplicated()
    }
  }

  protected afterJoinGrace(): void {
    if (this.role !== Role.Joining) return
    this.role = Role.Follower
    this.ensureListed(true)
    this.startFailover()
    this.publish()
  }

  protected onSuspect(): void {
    if (this.role !== Role.Follower) return
    // An indirect follower asks peers again before it counts the coordinator as gone.
    if (this.indirect && this.following !== null && this.probeNonce === undefined) return this.probeIndirectly()
    this.indirect = false
    this.probeNonce = undefined
    const leader = this.following?.leader
    if (leader !== undefined && leader !== this.host.self) {
      this.suspected.add(leader)
      this.emit({ type: 'suspected', leader })
    }
    this.following = null
    this.startFailover()
    this.publish()
  }

  protected abstract probeIndirectly(): void

  /**
   * Failback: after an unbroken hold-down of contact, a peer ahead of the coordinator in the list
   * asks for the role back — only the initial host and peers marked stable. A browser or phone
   * ahead in the list that slept and woke keeps following, so the role is not pulled around the
   * room every time a screen turns off.
   */
  protected maybeAskHandoff(leader: PeerId, now: number): void {
    const { failback, timing, code, app, stable, self } = this.host
    if (!failback || code === undefined || app.code() !== code || this.following === null || this.hidden) return
    if (!stable && app.initialHost() !== self) return
    if (this.contact.streak(now) < timing.holdDownMs || now - this.lastHandoffAsk < timing.suspectMs) return
    if (!this.ranksBefore(this.host.self, leader)) return
    this.lastHandoffAsk = now
    this.host.send(leader, encodeHandoffRequest({ ...this.following, stateVector: YSV.encode(app.doc) }))
  }

  /** The coordinator hands us the role. */
  onHandoff(from: PeerId, handoff: Handoff): void {
    if (!sameTerm(handoff, this.following) || from !== handoff.leader || this.host.code === undefined || this.hidden) return
    if (!this.host.sync.applyRemoteUpdate(from, handoff.update)) return
    const parent = termKey(handoff)
    if (this.host.ledger.countOf(parent) < handoff.count) return
    if (this.host.quorum) {
      // Quorum mode: a term nobody voted for could tie with a voted one of the same epoch and
      // fence what that one committed. Run an election instead; the old coordinator went quiet.
      this.following = null
      this.suspected.add(from)
      this.startFailover()
      return this.publish()
    }
    this.claim({ parent, parentCount: handoff.count })
  }
}
