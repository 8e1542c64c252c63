import type { Clock, Random } from '@sship/core'
import type { TimerHandle } from '@sship/core/internals'

/**
 * When a responder multicasts its records (RFC 6762 §6): after a random 20–120 ms (the PTR is a
 * shared record, so answers of many responders spread out), never more than once per second
 * (§6.2), and once for all the queries that arrived meanwhile (aggregation, §6.4). So a burst
 * of queries — a room full of peers that forgot the same crashed host — costs one answer.
 */
export class AnswerAggregator {
  private pending: TimerHandle | undefined
  private lastSentAt = -Infinity

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly send: () => void,
    private readonly minGapMs = 1000
  ) {}

  /** A query asked for our records: answer once, soon, unless an answer is already pending. */
  request(): void {
    if (this.pending !== undefined) return
    const jitter = 20 + Math.floor(this.random.next() * 100)
    const delay = Math.max(jitter, this.lastSentAt + this.minGapMs - this.clock.now())
    this.pending = this.clock.setTimeout(() => {
      this.pending = undefined
      this.sent()
      this.send()
    }, delay)
  }

  /** Our records went out by other means (an announcement): they count for the rate limit. */
  sent(): void {
    this.lastSentAt = this.clock.now()
  }

  /** Cancels a pending answer. */
  cancel(): void {
    if (this.pending !== undefined) this.clock.clearTimeout(this.pending)
    this.pending = undefined
  }
}
