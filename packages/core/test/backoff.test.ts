import { describe, expect, it } from 'vitest'
import { Backoff } from '../src/index.js'
import { seededRandom } from '../src/random/Random.js'

describe('Backoff', () => {
  it('grows exponentially with jitter in [half, full], capped, and resets', () => {
    const backoff = new Backoff(seededRandom(7), { initialMs: 100, maxMs: 1000, factor: 2 })
    const delays = Array.from({ length: 8 }, () => backoff.next())
    const ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000]
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual((ceilings[i] ?? 0) / 2)
      expect(d).toBeLessThanOrEqual(ceilings[i] ?? 0)
    })
    expect(backoff.attempts).toBe(8)
    backoff.reset()
    expect(backoff.attempts).toBe(0)
    expect(backoff.next()).toBeLessThanOrEqual(100)
  })

  it('takes the defaults for options left out (factor 2, 100 ms to 5 s)', () => {
    const backoff = new Backoff(seededRandom(5), { maxMs: 1000 })
    const delays = Array.from({ length: 6 }, () => backoff.next())
    const ceilings = [100, 200, 400, 800, 1000, 1000]
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual((ceilings[i] ?? 0) / 2)
      expect(d).toBeLessThanOrEqual(ceilings[i] ?? 0)
    })
    const factor3 = new Backoff(seededRandom(5), { factor: 3 })
    factor3.next()
    expect(factor3.next()).toBeGreaterThan(150)
  })

  it('replays with the same seed', () => {
    const run = (): number[] => {
      const b = new Backoff(seededRandom(3))
      return [b.next(), b.next(), b.next()]
    }
    expect(run()).toEqual(run())
  })
})
