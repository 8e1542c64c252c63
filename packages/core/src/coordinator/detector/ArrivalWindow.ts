/** How many inter-arrival gaps a window keeps (a few seconds of heartbeats). */
const WINDOW = 64

/**
 * The recent inter-arrival gaps of one link's periodic messages (a coordinator's heartbeats, a
 * follower's acks): their mean and standard deviation, as in the phi-accrual detector of
 * Hayashibara et al. (used by Akka and Cassandra). A gap longer than `maxGapMs` is an outage or a
 * freeze, not jitter, and is left out so one outage does not make the link look slow for minutes.
 */
export class ArrivalWindow {
  private readonly gaps: number[] = []
  private next = 0
  private sum = 0
  private sumSq = 0
  private last: number | undefined

  constructor(private readonly maxGapMs: number) {}

  /** The stream restarts (a new term): the next arrival starts a gap instead of ending one. */
  restart(): void {
    this.last = undefined
  }

  /** A message arrived at `now`. */
  arrived(now: number): void {
    const prev = this.last
    this.last = now
    if (prev === undefined) return
    const gap = now - prev
    if (gap < 0 || gap > this.maxGapMs) return
    if (this.gaps.length < WINDOW) this.gaps.push(gap)
    else {
      const old = this.gaps[this.next] ?? 0
      this.sum -= old
      this.sumSq -= old * old
      this.gaps[this.next] = gap
      this.next = (this.next + 1) % WINDOW
    }
    this.sum += gap
    this.sumSq += gap * gap
  }

  /** Number of gaps seen (at most the window). */
  get size(): number {
    return this.gaps.length
  }

  /** Mean gap, or undefined before the first gap. */
  mean(): number | undefined {
    return this.gaps.length === 0 ? undefined : this.sum / this.gaps.length
  }

  /** Standard deviation of the gaps (0 before two gaps). */
  deviation(): number {
    const n = this.gaps.length
    if (n < 2) return 0
    const mean = this.sum / n
    return Math.sqrt(Math.max(0, this.sumSq / n - mean * mean))
  }
}
