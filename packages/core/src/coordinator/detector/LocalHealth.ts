import type { TimingOptions } from '../timing.js'

/** Highest health score: timeouts stretch at most `1 + MAX_SCORE / 2` times (then the ceiling caps them). */
const MAX_SCORE = 8

/**
 * This peer's own health, after HashiCorp's Lifeguard: a process whose timers fire late (CPU
 * starvation, a frozen tab, SIGSTOP) or whose questions nobody answers is more likely the one at
 * fault than the peer it suspects. Each such event raises a score; the score decays by one per
 * `holdDownMs / 2` of good behaviour, and stretches every failure-detector timeout by
 * `1 + score / 2` (see {@link FailureDetector}).
 *
 * A timer late by more than a suspicion means this process was frozen: until it hears the room
 * again (`heardRoom`) it must not claim, since everything it believes is stale.
 */
export class LocalHealth {
  private score = 0
  private changedAt = 0
  private frozenAt: number | undefined
  /** Largest timer lag seen lately (ms), for the snapshot and logs. */
  lastLagMs = 0

  constructor(private readonly timing: TimingOptions) {}

  /** How late a timer may fire before it counts as this process being slow. */
  get toleranceMs(): number {
    return this.timing.heartbeatMs / 2
  }

  /** A timer due at `due` fired at `now`; returns true if that counts as a stall. */
  timerFired(due: number, now: number): boolean {
    const lag = now - due
    if (lag <= this.toleranceMs) return false
    this.lastLagMs = lag
    this.raise(now)
    if (lag > this.timing.suspectMs) this.frozenAt = now
    return true
  }

  /** The page was hidden and is visible again: like a freeze, act only after hearing the room. */
  resumed(now: number): void {
    this.frozenAt = now
  }

  /** A round of questions (catch-up, probe) got no answer from anyone. */
  unanswered(now: number): void {
    this.raise(now)
  }

  /** A frame from a peer arrived: the room is heard again after a freeze. */
  heardRoom(): void {
    this.frozenAt = undefined
  }

  /**
   * True between waking from a freeze and hearing the room again, for at most `holdDownMs` (a
   * peer that hears nobody at all after that may be alone: it acts, and the isolation guard of
   * a term keeps it from deciding while its room is silent).
   */
  waking(now: number): boolean {
    return this.frozenAt !== undefined && now - this.frozenAt < this.timing.holdDownMs
  }

  /** The multiplier of failure-detector timeouts at `now` (1 when healthy). */
  factor(now: number): number {
    this.decay(now)
    return 1 + this.score / 2
  }

  /** The current score (0 = healthy). */
  level(now: number): number {
    this.decay(now)
    return this.score
  }

  private raise(now: number): void {
    this.decay(now)
    this.score = Math.min(MAX_SCORE, this.score + 1)
    this.changedAt = now
  }

  private decay(now: number): void {
    const period = Math.max(1, this.timing.holdDownMs / 2)
    const steps = Math.floor((now - this.changedAt) / period)
    if (steps <= 0 || this.score === 0) return
    this.score = Math.max(0, this.score - steps)
    this.changedAt += steps * period
  }
}
