import { describe, expect, it } from 'vitest'
import { linearFit } from '../src/report/linearFit.js'

describe('linearFit (least squares)', () => {
  it('recovers an exact line with r2 = 1', () => {
    const fit = linearFit([5, 10, 20, 50, 100, 500].map((n) => [n, 30 + 375 * n] as const))
    expect(fit?.slope).toBeCloseTo(375, 9)
    expect(fit?.intercept).toBeCloseTo(30, 6)
    expect(fit?.r2).toBeCloseTo(1, 12)
    expect(fit?.count).toBe(6)
  })

  it('gives r2 below 1 for a curve, and the textbook values for a small example', () => {
    // y = x² on 1..4, by hand: mean 7.5, SS_tot = 129; line 5x − 5, residuals ±1, SS_res = 4.
    const fit = linearFit([[1, 1], [2, 4], [3, 9], [4, 16]])
    expect(fit?.slope).toBeCloseTo(5, 12)
    expect(fit?.intercept).toBeCloseTo(-5, 12)
    expect(fit?.r2).toBeCloseTo(1 - 4 / 129, 12)
    const quadratic = linearFit([5, 10, 20, 50, 100, 200, 500].map((n) => [n, n * n] as const))
    expect(quadratic?.r2).toBeLessThan(0.99)
  })

  it('is null for fewer than two distinct x values, and flat data fits exactly', () => {
    expect(linearFit([])).toBeNull()
    expect(linearFit([[3, 1]])).toBeNull()
    expect(linearFit([[3, 1], [3, 2]])).toBeNull()
    expect(linearFit([[1, 7], [2, 7], [3, 7]])).toEqual({ intercept: 7, slope: 0, r2: 1, count: 3 })
  })
})
