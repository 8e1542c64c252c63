import { ConfigError } from '../errors/errors.js'

/**
 * Timing of the failure detector and of role changes, in milliseconds. The detector adapts per
 * link: a coordinator is suspected after the mean heartbeat gap plus `suspectSigmas` standard
 * deviations of it, never sooner than `suspectMs` and never later than `suspectMaxMs`. On a clean
 * LAN the floor applies (a dead coordinator is replaced about 250-350 ms after its last
 * heartbeat); a jittery, lossy Wi-Fi gets patience up to the ceiling.
 */
export interface TimingOptions {
  /** Interval between the coordinator's heartbeats. Default 100. */
  heartbeatMs: number
  /** Least silence after which the coordinator (or a follower, for the coordinator) is suspected: the detector's floor. Default 250. */
  suspectMs: number
  /** Longest silence the adaptive detector waits, however jittery the link or slow this peer: its ceiling. Default 3000. */
  suspectMaxMs: number
  /**
   * Least silence after which a follower suspects a coordinator whose link is still open, on a
   * transport that closes a dead peer's links at once (`Transport.closesOnCrash`: the LAN's
   * WebSockets). There a SIGKILLed coordinator is noticed by its closed links within a round
   * trip, and mere silence more likely means a paused process (SIGSTOP, a starved laptop, a
   * phone's radio napping) that will resume: a pause shorter than this deposes nobody. Ignored on
   * other transports; capped by `suspectMaxMs`. Default 1500.
   */
  stallMs: number
  /** Standard deviations of the heartbeat gap beyond its mean that still count as jitter, not death. Default 6. */
  suspectSigmas: number
  /** Extra wait per rank for the k-th candidate, so only one claims. Default 150. */
  staggerMs: number
  /**
   * Least time a candidate waits for catch-up replies (the confirmation that others miss the
   * coordinator too) before claiming; the wait grows with the measured round trip and the
   * heartbeats' jitter. Default 60.
   */
  catchUpMs: number
  /** Longest that confirmation wait. Default 1000. */
  catchUpMaxMs: number
  /** How long a preferred peer must stay reachable before it takes the role back. Default 3000. */
  holdDownMs: number
  /** How long a starting peer listens for a coordinator before acting. Default = suspectMs. */
  joinGraceMs: number
  /** How long a member may be unreachable from the coordinator before it is retired from the list. Default 600000 (10 min). */
  retireAfterMs: number
}

/** The defaults of {@link TimingOptions}. */
export const DEFAULT_TIMING: Readonly<TimingOptions> = Object.freeze({
  heartbeatMs: 100,
  suspectMs: 250,
  suspectMaxMs: 3000,
  stallMs: 1500,
  suspectSigmas: 6,
  staggerMs: 150,
  catchUpMs: 60,
  catchUpMaxMs: 1000,
  holdDownMs: 3000,
  joinGraceMs: 250,
  retireAfterMs: 600_000
})

/** Fills in defaults and checks the values; throws {@link ConfigError} with the fix. */
export function resolveTiming(partial: Partial<TimingOptions> = {}): TimingOptions {
  const t: TimingOptions = { ...DEFAULT_TIMING, joinGraceMs: partial.suspectMs ?? DEFAULT_TIMING.joinGraceMs, ...partial }
  for (const [k, v] of Object.entries(t)) {
    if (!Number.isFinite(v) || v < 0) throw new ConfigError(`timing.${k} must be a non-negative number of milliseconds, got ${v}`)
  }
  if (t.heartbeatMs <= 0) throw new ConfigError('timing.heartbeatMs must be greater than 0')
  if (t.suspectMs <= t.heartbeatMs) {
    throw new ConfigError(`timing.suspectMs (${t.suspectMs}) must exceed timing.heartbeatMs (${t.heartbeatMs}), or every heartbeat gap looks like a crash`)
  }
  if (t.suspectMaxMs < t.suspectMs) {
    throw new ConfigError(`timing.suspectMaxMs (${t.suspectMaxMs}) must be at least timing.suspectMs (${t.suspectMs}): it is the detector's ceiling, suspectMs its floor`)
  }
  if (t.suspectSigmas <= 0) throw new ConfigError(`timing.suspectSigmas must be greater than 0, got ${t.suspectSigmas}`)
  if (t.catchUpMaxMs < t.catchUpMs) {
    throw new ConfigError(`timing.catchUpMaxMs (${t.catchUpMaxMs}) must be at least timing.catchUpMs (${t.catchUpMs})`)
  }
  return t
}
