import type { Random } from '@sship/core'

/** Shape of a {@link Backoff}'s delays, in milliseconds. */
export interface BackoffOptions {
  /** First delay. Default 100. */
  readonly initialMs: number
  /** Largest delay: retries never stop, but never wait longer than this. Default 5000. */
  readonly maxMs: number
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 100, maxMs: 5000 })

/**
 * Bounded exponential backoff with "equal jitter": attempt k waits between half and all of
 * `min(maxMs, initialMs * 2^k)`. The jitter comes from an injected {@link Random}, so peers that
 * lost a signaling server at the same moment do not redial it in lockstep, and seeded runs replay.
 */
export class Backoff {
  private attempt = 0

  constructor(private readonly random: Random, private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The delay before the next attempt; each call doubles the next one, up to `maxMs`. */
  next(): number {
    const ceiling = Math.min(this.options.maxMs, this.options.initialMs * 2 ** Math.min(this.attempt, 32))
    this.attempt++
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random.next())
  }

  /** Starts over from `initialMs` (after a connection was up). */
  reset(): void {
    this.attempt = 0
  }
}
