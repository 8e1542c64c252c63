/** What {@link ReplayWindow.check} says about a counter. */
export type ReplayVerdict = 'fresh' | 'replayed' | 'too-old'

/**
 * The receive side of anti-replay, after IPsec and DTLS: accepts each counter at most once,
 * in any order within the last `size` counters below the highest accepted one; anything older
 * is refused. `size` 0 is strict: only counters above the highest accepted pass, so a secure
 * link then needs an in-order inner transport. Counters start at 1.
 */
export class ReplayWindow {
  private highest = 0
  /** Accepted counters in `(highest - size, highest]`. */
  private readonly recent = new Set<number>()

  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`a replay window size must be an integer >= 0, got ${size}`)
  }

  /** Whether `counter` would be accepted now (no state change: check before decrypting). */
  check(counter: number): ReplayVerdict {
    if (counter > this.highest) return 'fresh'
    if (counter <= this.highest - this.size || counter < 1) return 'too-old'
    return this.recent.has(counter) ? 'replayed' : 'fresh'
  }

  /** Records `counter` as accepted; call only after it authenticated and {@link check} said fresh. */
  accept(counter: number): void {
    if (counter > this.highest) {
      this.highest = counter
      if (this.recent.size > 0) for (const c of this.recent) if (c <= counter - this.size) this.recent.delete(c)
    }
    if (this.size > 0) this.recent.add(counter)
  }
}
