import { ConfigError } from '../errors/errors.js'

/**
 * Timing of the failure detector and of role changes, in milliseconds. Defaults suit a LAN:
 * a dead coordinator is suspected after 2.5 missed heartbeats and replaced about 250-350 ms
 * after its last heartbeat.
 */
export interface TimingOptions {
  /** Interval between the coordinator's heartbeats. Default 100. */
  heartbeatMs: number
  /** Silence after which the coordinator (or a follower, for the coordinator) is suspected. Default 250. */
  suspectMs: number
  /** Extra wait per rank for the k-th candidate, so only one claims. Default 150. */
  staggerMs: number
  /** Longest a candidate waits for catch-up replies before claiming. Default 60. */
  catchUpMs: number
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
  staggerMs: 150,
  catchUpMs: 60,
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
  return t
}
