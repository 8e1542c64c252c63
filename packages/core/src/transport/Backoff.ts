import type { Random } from '../random/Random.js'

/** Shape of a {@link Backoff}'s delays. */
export interface BackoffOptions {
  /** First delay, in ms. Default 100. */
  readonly initialMs: number
  /** Largest delay, in ms: retries never wait longer than this. Default 5000. */
  readonly maxMs: number
  /** Growth per attempt. Default 2. */
  readonly factor?: number
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = Object.freeze({ initialMs: 100, maxMs: 5000, factor: 2 })

/**
 * Exponential backoff with "equal jitter": attempt k waits between half and all of
 * `min(maxMs, initialMs * factor^k)`. The jitter comes from an injected {@link Random}, so a
 * seeded run replays, and peers that lost a link at the same moment do not redial in lockstep.
 * Shared by the transports that redial (LAN, WebRTC signaling, WebSocket clients).
 */
export class Backoff {
  private attempt = 0

  constructor(private readonly random: Random, private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The delay before the next attempt; each call grows the next one, up to `maxMs`. */
  next(): number {
    const { initialMs, maxMs } = this.options
    const factor = this.options.factor ?? DEFAULT_BACKOFF.factor
    const ceiling = Math.min(maxMs, initialMs * factor ** Math.min(this.attempt, 32))
    this.attempt++
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random.next())
  }

  /** Attempts since the last {@link Backoff.reset}. */
  get attempts(): number {
    return this.attempt
  }

  /** Starts over from `initialMs` (after a link was up). */
  reset(): void {
    this.attempt = 0
  }
}
