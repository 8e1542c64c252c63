import type { TermRef } from '../protocol/coordinatorMessages.js'
import { sameTerm } from './Term.js'

/**
 * A follower's record of its contact with coordinators: when it last heard one, since when it
 * has heard them without a gap of its own, and when its own link last flapped (the same
 * coordinator kept beating while this peer heard nothing). Failback waits for an unbroken
 * streak; a flapping or freshly returned peer waits a hold-down before it would claim.
 */
export class Contact {
  /** When the last heartbeat arrived. */
  lastHeartbeatAt = -Infinity
  /** Start of the current unbroken streak of heartbeats. */
  streakStart = 0
  /** When this peer's own link last flapped. */
  lastFlapAt = -Infinity
  /** The term last followed (kept across suspicions, unlike the current one). */
  lastFollowed: TermRef | null = null

  /**
   * Records a heartbeat of `term` at `now`; `joining` starts the first streak. A gap longer than
   * `streakMs` (the detector's floor) breaks the streak that failback waits for; one longer than
   * `flapMs` (the adaptive timeout) counts as a flap of this peer's own link.
   */
  heartbeat(term: TermRef, now: number, streakMs: number, flapMs: number, joining: boolean): void {
    if (joining) this.streakStart = now
    const gap = now - this.lastHeartbeatAt
    if (sameTerm(this.lastFollowed, term)) {
      if (gap > streakMs) this.streakStart = now
      if (gap > flapMs) this.lastFlapAt = now
    }
    this.lastHeartbeatAt = now
  }

  /** Starts a new streak at `now` (after stepping down: contact with the new coordinator starts now). */
  restart(now: number): void {
    this.lastHeartbeatAt = now
    this.streakStart = now
  }

  /** Length of the unbroken streak at `now`. */
  streak(now: number): number {
    return now - this.streakStart
  }

  /** True if a coordinator was heard within `suspectMs` of `now`. */
  hearsCoordinator(now: number, suspectMs: number): boolean {
    return now - this.lastHeartbeatAt <= suspectMs
  }

  /**
   * True if this peer should wait a hold-down before claiming: its link flapped within
   * `holdDownMs`, or it returned lately and ranks before the coordinator it followed.
   */
  unsettled(now: number, holdDownMs: number, ranksBeforeLastLeader: boolean): boolean {
    const returning = this.lastFollowed !== null && this.lastHeartbeatAt - this.streakStart < holdDownMs && ranksBeforeLastLeader
    return now - this.lastFlapAt < holdDownMs || returning
  }
}
