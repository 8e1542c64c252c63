/** A least-squares line `y = intercept + slope · x` and how well it fits. */
export interface LinearFit {
  readonly intercept: number
  readonly slope: number
  /** Coefficient of determination: 1 − SS_res / SS_tot (1 when every point is on the line). */
  readonly r2: number
  /** Points used. */
  readonly count: number
}

/**
 * Ordinary least squares over `points`. Null with fewer than two distinct x values. When every
 * y is the same, the line is flat and fits exactly (r2 = 1).
 */
export function linearFit(points: ReadonlyArray<readonly [number, number]>): LinearFit | null {
  const count = points.length
  if (count < 2) return null
  let sx = 0
  let sy = 0
  for (const [x, y] of points) {
    sx += x
    sy += y
  }
  const mx = sx / count
  const my = sy / count
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2
    sxy += (x - mx) * (y - my)
    syy += (y - my) ** 2
  }
  if (sxx === 0) return null
  const slope = sxy / sxx
  const intercept = my - slope * mx
  let ssRes = 0
  for (const [x, y] of points) ssRes += (y - (intercept + slope * x)) ** 2
  return { intercept, slope, r2: syy === 0 ? 1 : 1 - ssRes / syy, count }
}
