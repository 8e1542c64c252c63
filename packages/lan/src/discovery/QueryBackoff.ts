import type { Random } from '@sship/core'

/** Options of a {@link QueryBackoff}. */
export interface QueryBackoffOptions {
  /** The gap after the first query. Default 1000 ms (RFC 6762 §5.2: at least one second). */
  readonly firstIntervalMs?: number
  /** The ceiling the gap doubles up to. Default 3 600 000 ms (one hour, §5.2). */
  readonly maxIntervalMs?: number
}

/**
 * The schedule of continuous mDNS browse queries (RFC 6762 §5.2): the first query after a random
 * 20–120 ms (so peers started together do not query in the same instant and can suppress each
 * other's duplicates), then gaps of 1 s, 2 s, 4 s … doubling up to the ceiling. Pure: it returns
 * delays, the caller owns the timers.
 */
export class QueryBackoff {
  private readonly first: number
  private readonly max: number
  private gap: number

  constructor(private readonly random: Random, options: QueryBackoffOptions = {}) {
    this.first = Math.max(1, options.firstIntervalMs ?? 1000)
    this.max = Math.max(this.first, options.maxIntervalMs ?? 3_600_000)
    this.gap = this.first
  }

  /** The delay before the first query of a browse (or of a restarted one). */
  initialDelayMs(): number {
    return 20 + Math.floor(this.random.next() * 100)
  }

  /** A query was sent (or suppressed as a duplicate): the gap until the next one. Doubles each call. */
  next(): number {
    const gap = this.gap
    this.gap = Math.min(this.max, this.gap * 2)
    return gap
  }

  /** Starts the doubling over from the first gap (the network changed: a new query series). */
  reset(): void {
    this.gap = this.first
  }
}
