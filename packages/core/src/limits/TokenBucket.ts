import type { Clock } from '../clock/Clock.js'

/** A rate: `perSecond` on average, with bursts up to `burst`. */
export interface Rate {
  /** Sustained rate, events per second. */
  readonly perSecond: number
  /** Events allowed at once after a quiet spell (the bucket's size). */
  readonly burst: number
}

/**
 * A token bucket on an injected {@link Clock}: {@link TokenBucket.take} succeeds while the
 * average rate stays under `perSecond` with bursts up to `burst`. The cost is O(1) time and
 * memory, so every link and connection can afford one.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(readonly rate: Rate, private readonly clock: Clock) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1)) throw new RangeError(`bad rate ${JSON.stringify(rate)}: perSecond > 0 and burst >= 1`)
    this.tokens = rate.burst
    this.last = clock.now()
  }

  /** Takes `n` tokens if there are that many; false (taking none) if over the rate. */
  take(n = 1): boolean {
    this.refill()
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }

  /** Tokens available now (for diagnostics and tests). */
  available(): number {
    this.refill()
    return this.tokens
  }

  private refill(): void {
    const now = this.clock.now()
    const elapsed = Math.max(0, now - this.last)
    this.last = now
    this.tokens = Math.min(this.rate.burst, this.tokens + (elapsed * this.rate.perSecond) / 1000)
  }
}
