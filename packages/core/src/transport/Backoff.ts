import type { Random } from '../random/Random.js'

/** Shape of a {@link Backoff}'s delays, in milliseconds. */
export interface BackoffOptions {
  /** First delay. Default 100. */
  readonly initialMs: number
  /** Largest delay: retries never stop, but never wait longer than this. Default 5000. */
  readonly maxMs: number
  /** Growth per attempt. Default 2. */
  readonly factor?: number
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = Object.freeze({ initialMs: 100, maxMs: 5000, factor: 2 })

/**
 * Bounded exponential backoff with "equal jitter", shared by the transports that redial (the LAN
 * dialer, the WebRTC signaling client, WebSocket clients): attempt k waits between half and all
 * of `min(maxMs, initialMs * factor^k)`. The jitter comes from an injected {@link Random}, so a
 * seeded run replays, and peers that lost a link at the same moment do not redial in lockstep.
 */
export class Backoff {
  private attempt = 0
  private readonly options: Required<BackoffOptions>

  /** `options` left out take their {@link DEFAULT_BACKOFF} value. */
  constructor(private readonly random: Random, options: Partial<BackoffOptions> = {}) {
    this.options = {
      initialMs: options.initialMs ?? DEFAULT_BACKOFF.initialMs,
      maxMs: options.maxMs ?? DEFAULT_BACKOFF.maxMs,
      factor: options.factor ?? DEFAULT_BACKOFF.factor
    }
  }

  /** The delay before the next attempt; each call grows the next one, up to `maxMs`. */
  next(): number {
    const { initialMs, maxMs, factor } = this.options
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
