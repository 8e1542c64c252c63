import { describe, expect, it } from 'vitest'
import { percentile, summarize } from '../src/measure/summarize.js'

describe('percentile (nearest rank)', () => {
  it('picks the smallest sample with at least p % at or below it', () => {
    const xs = [5, 1, 4, 2, 3]
    expect(percentile(xs, 50)).toBe(3)
    expect(percentile(xs, 99)).toBe(5)
    expect(percentile(xs, 20)).toBe(1)
    expect(percentile(xs, 21)).toBe(2)
    expect(percentile(xs, 100)).toBe(5)
  })

  it('takes p99 of 100 samples as the 99th smallest', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(percentile(xs, 99)).toBe(99)
    expect(percentile(xs, 50)).toBe(50)
  })

  it('is null without samples and rejects p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNull()
    expect(() => percentile([1], 0)).toThrow(RangeError)
    expect(() => percentile([1], 101)).toThrow(RangeError)
  })

  it('does not reorder its input', () => {
    const xs = [3, 1, 2]
    percentile(xs, 50)
    expect(xs).toEqual([3, 1, 2])
  })
})

describe('summarize', () => {
  it('gives count, percentiles, mean, min and max', () => {
    expect(summarize([2, 4, 6, 8])).toEqual({ count: 4, p50: 4, p99: 8, mean: 5, min: 2, max: 8 })
  })

  it('gives nulls for no samples', () => {
    expect(summarize([])).toEqual({ count: 0, p50: null, p99: null, mean: null, min: null, max: null })
  })
})
