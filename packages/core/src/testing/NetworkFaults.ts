import { ConfigError } from '../errors/errors.js'
import type { Random } from '../random/Random.js'

/** A latency range in milliseconds; each frame's latency is uniform in `[min, max]`. */
export interface LatencyRange {
  readonly min: number
  readonly max: number
}

/**
 * The faults a {@link MemoryNetwork} injects, each decided per frame by its seeded PRNG.
 * Rates are probabilities in `[0, 1]`.
 */
export interface NetworkFaults {
  /** One-way latency of each frame (default `{ min: 1, max: 5 }`). */
  readonly latencyMs: LatencyRange
  /** Probability that a frame is lost (default 0). A lost frame is never duplicated. */
  readonly dropRate: number
  /** Probability that a frame that was not lost is delivered twice (default 0). */
  readonly duplicateRate: number
  /**
   * Probability that a copy of a frame skips the link's FIFO order and gets an extra delay,
   * uniform in `[0, 2 * latencyMs.max + 1)`, so later frames can overtake it (default 0).
   */
  readonly reorderRate: number
}

/** The faults of a fresh {@link MemoryNetwork}: some latency, nothing lost, duplicated or reordered. */
export const defaultNetworkFaults: NetworkFaults = Object.freeze({
  latencyMs: Object.freeze({ min: 1, max: 5 }),
  dropRate: 0,
  duplicateRate: 0,
  reorderRate: 0
})

/**
 * `base` with `changes` applied, validated. Throws a {@link ConfigError} that names the bad
 * field if a rate is outside `[0, 1]` or the latency range is not `0 <= min <= max < Infinity`.
 */
export function mergeNetworkFaults(base: NetworkFaults, changes: Partial<NetworkFaults>): NetworkFaults {
  const merged: NetworkFaults = {
    latencyMs: { ...(changes.latencyMs ?? base.latencyMs) },
    dropRate: changes.dropRate ?? base.dropRate,
    duplicateRate: changes.duplicateRate ?? base.duplicateRate,
    reorderRate: changes.reorderRate ?? base.reorderRate
  }
  for (const key of ['dropRate', 'duplicateRate', 'reorderRate'] as const) {
    const rate = merged[key]
    if (!(rate >= 0 && rate <= 1)) throw new ConfigError(`${key} must be a probability in [0, 1], got ${rate}`)
  }
  const { min, max } = merged.latencyMs
  if (!(min >= 0 && min <= max && Number.isFinite(max))) {
    throw new ConfigError(`latencyMs must satisfy 0 <= min <= max < Infinity, got { min: ${min}, max: ${max} }`)
  }
  return Object.freeze(merged)
}

/** What the faults decide for one copy of a frame. @internal */
export interface CopyPlan {
  /** Delay from now until delivery, in milliseconds. */
  readonly delayMs: number
  /** False if the copy was picked for reordering: it then ignores the link's FIFO order. */
  readonly fifo: boolean
}

/** What the faults decide for one sent frame: lost, or one or two copies. @internal */
export type FramePlan = { readonly lost: true } | { readonly lost: false; readonly copies: readonly CopyPlan[] }

/** Random numbers drawn per frame, all always taken so one frame's faults never shift another's. */
const DRAWS_PER_FRAME = 8

/**
 * Decides the fate of one frame under `faults`, drawing exactly eight numbers from `random`
 * (loss, duplication, then latency, reorder and extra delay for each of two copies). @internal
 */
export function planFrame(faults: NetworkFaults, random: Random): FramePlan {
  const draws: number[] = []
  for (let i = 0; i < DRAWS_PER_FRAME; i++) draws.push(random.next())
  const [lost = 0, duplicate = 0, ...perCopy] = draws
  if (lost < faults.dropRate) return { lost: true }
  const copy = (offset: number): CopyPlan => {
    const [latency = 0, reorder = 0, extra = 0] = perCopy.slice(offset, offset + 3)
    const { min, max } = faults.latencyMs
    const delayMs = min + latency * (max - min)
    return reorder < faults.reorderRate ? { delayMs: delayMs + extra * (2 * max + 1), fifo: false } : { delayMs, fifo: true }
  }
  return { lost: false, copies: duplicate < faults.duplicateRate ? [copy(0), copy(3)] : [copy(0)] }
}
