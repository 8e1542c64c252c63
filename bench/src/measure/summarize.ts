/** A distribution's summary: nearest-rank percentiles over the raw samples. */
export interface Summary {
  readonly count: number
  readonly p50: number | null
  readonly p99: number | null
  readonly mean: number | null
  readonly min: number | null
  readonly max: number | null
}

/**
 * The `p`-th percentile (0 < p <= 100) of `samples` by the nearest-rank method: the smallest
 * sample such that at least p % of the samples are at or below it. Null for no samples.
 */
export function percentile(samples: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`)
  if (samples.length === 0) return null
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.max(0, rank - 1)] ?? null
}

/** Count, p50, p99, mean, min and max of `samples` (nulls when there are none). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { count: 0, p50: null, p99: null, mean: null, min: null, max: null }
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (const s of samples) {
    sum += s
    if (s < min) min = s
    if (s > max) max = s
  }
  return { count: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), mean: sum / samples.length, min, max }
}
