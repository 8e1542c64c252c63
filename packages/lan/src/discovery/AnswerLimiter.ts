import type { Clock, TimerHandle } from '@sship/core'

/**
 * Multicasts our answer at most once per `intervalMs` (RFC 6762 §6: a record is not multicast
 * more than once per second), however many queries arrive: a query flood then draws one answer
 * per interval instead of one per query. A query inside the interval is not dropped: one answer
 * is sent when the interval is over, for all of them.
 */
export class AnswerLimiter {
  private last = -Infinity
  private timer: TimerHandle | undefined
  /** Queries that shared an answer with another one (requests minus answers sent). */
  coalesced = 0

  constructor(private readonly clock: Clock, private readonly intervalMs: number, private readonly answer: () => void) {}

  /** A query asked for our records. */
  request(): void {
    if (this.timer !== undefined) {
      this.coalesced++
      return
    }
    const wait = this.last + this.intervalMs - this.clock.now()
    if (wait <= 0) return this.fire()
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.fire()
    }, wait)
  }

  /** Cancels a pending answer. */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private fire(): void {
    this.last = this.clock.now()
    this.answer()
  }
}
