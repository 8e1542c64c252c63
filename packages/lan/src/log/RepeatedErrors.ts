import { systemClock, type Clock, type TimerHandle } from '@sship/core'

/** One line {@link RepeatedErrors} lets through: the first error of a source, or a summary of the rest. */
export interface ErrorLine {
  /** Who caused it: a peer's GUID, an address, or `local`. */
  readonly source: string
  /** The first message (for a summary: the last one seen). */
  readonly message: string
  /** 1 for a first error; for a summary, how many more came in the interval. */
  readonly count: number
  /** True for a summary line. */
  readonly summary: boolean
}

/** Options of {@link RepeatedErrors}. */
export interface RepeatedErrorsOptions {
  /** Where lines go. */
  readonly emit: (line: ErrorLine) => void
  /** Length of one interval. Default 10 000 ms. */
  readonly intervalMs?: number
  /** Sources named one by one per interval; errors of further sources are summarised under `other sources`. Default 20. */
  readonly maxSources?: number
  readonly clock?: Clock
}

/** The source name errors of sources beyond `maxSources` are counted under. */
export const OTHER_SOURCES = 'other sources'

/**
 * Log hygiene for errors caused by others: per source and interval, the first error is emitted as
 * it is and the rest are counted and summarised in one line when the interval ends ("peer X: 9,999
 * more like this"). A peer sending 10,000 bad frames a second then costs two lines per interval,
 * not 10,000; a flood from ever-new sources (fresh GUIDs) costs at most `maxSources + 1` lines per
 * source-interval. Memory is bounded by `maxSources`.
 */
export class RepeatedErrors {
  private readonly counts = new Map<string, { more: number; last: string }>()
  private other = { more: 0, last: '' }
  private timer: TimerHandle | undefined
  private readonly clock: Clock
  private readonly intervalMs: number
  private readonly maxSources: number

  constructor(private readonly options: RepeatedErrorsOptions) {
    this.clock = options.clock ?? systemClock
    this.intervalMs = options.intervalMs ?? 10_000
    this.maxSources = options.maxSources ?? 20
  }

  /** An error from `source`. */
  report(source: string, message: string): void {
    const seen = this.counts.get(source)
    if (seen !== undefined) {
      seen.more++
      seen.last = message
    } else if (this.counts.size < this.maxSources) {
      this.counts.set(source, { more: 0, last: message })
      this.emit({ source, message, count: 1, summary: false })
    } else {
      this.other.more++
      this.other.last = message
    }
    this.timer ??= this.clock.setTimeout(() => this.flush(), this.intervalMs)
  }

  /** Emits the summaries now and starts a new interval. */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    for (const [source, c] of this.counts) if (c.more > 0) this.emit({ source, message: c.last, count: c.more, summary: true })
    if (this.other.more > 0) this.emit({ source: OTHER_SOURCES, message: this.other.last, count: this.other.more, summary: true })
    this.counts.clear()
    this.other = { more: 0, last: '' }
  }

  /** Emits what is pending and stops the timer. */
  close(): void {
    this.flush()
  }

  private emit(line: ErrorLine): void {
    try {
      this.options.emit(line)
    } catch {
      // A logger must not take its caller down.
    }
  }
}

/** The text form of an {@link ErrorLine}, e.g. `peer-7: 9,999 more errors in 10 s like: malformed frame`. */
export function formatErrorLine(line: ErrorLine, intervalMs = 10_000): string {
  if (!line.summary) return `${line.source}: ${line.message}`
  return `${line.source}: ${line.count.toLocaleString('en-US')} more error${line.count === 1 ? '' : 's'} in ${Math.round(intervalMs / 1000)} s, the last: ${line.message}`
}
