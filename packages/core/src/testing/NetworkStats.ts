/** A directed link's name in {@link NetworkStats.links}: `` `${from}->${to}` ``. */
export type LinkKey = `${string}->${string}`

/**
 * Frame counters of one directed link (or of the whole network). At any moment
 * `messages + duplicated === delivered + dropped + (frames in flight)`.
 */
export interface LinkStats {
  /** Frames handed to `send` by a connected transport. */
  readonly messages: number
  /** Bytes handed to `send` by a connected transport (duplicates not counted). */
  readonly bytes: number
  /** Frames (and duplicate copies) handed to the receiver's `frame` handler. */
  readonly delivered: number
  /**
   * Frames (and duplicate copies) lost: by `dropRate`, by a partition, because the receiver was
   * not joined from the sender's view, or because either end closed or crashed in flight.
   */
  readonly dropped: number
  /** Extra copies created by `duplicateRate`. */
  readonly duplicated: number
}

/** A snapshot of a {@link MemoryNetwork}'s counters since creation or the last `resetStats()`. */
export interface NetworkStats {
  /** Sums over all links. */
  readonly total: LinkStats
  /** Per directed link that carried at least one frame, keyed `` `${from}->${to}` ``. */
  readonly links: Readonly<Record<LinkKey, LinkStats>>
}

type MutableStats = { -readonly [K in keyof LinkStats]: LinkStats[K] }

const zero = (): MutableStats => ({ messages: 0, bytes: 0, delivered: 0, dropped: 0, duplicated: 0 })

/**
 * The mutable counters behind {@link NetworkStats}; used by {@link MemoryNetwork}.
 * @internal
 */
export class StatsRecorder {
  private total = zero()
  private links = new Map<LinkKey, MutableStats>()

  /** Adds `n` to counter `field` of `link` and of the total. */
  add(link: LinkKey, field: keyof LinkStats, n = 1): void {
    let stats = this.links.get(link)
    if (stats === undefined) {
      stats = zero()
      this.links.set(link, stats)
    }
    stats[field] += n
    this.total[field] += n
  }

  /** A frozen copy of the counters. */
  snapshot(): NetworkStats {
    const links: Record<LinkKey, LinkStats> = {}
    for (const [key, stats] of this.links) links[key] = Object.freeze({ ...stats })
    return Object.freeze({ total: Object.freeze({ ...this.total }), links: Object.freeze(links) })
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.total = zero()
    this.links = new Map()
  }
}
