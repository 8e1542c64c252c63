import { describe, expect, it } from 'vitest'
import { SETTLE_MS, checkConverged, runSchedule, timeToConverge } from './support/convergence.js'
import { replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/convergence.test.ts'

describe('replicas converge under random edits, latency, drops, duplicates, reordering, partitions, crashes and restarts', () => {
  const list = seeds(200)
  it(`for ${list.length} seeds, after ${SETTLE_MS} ms of calm`, () => {
    const failures: string[] = []
    const totals = { ops: 0, crashes: 0, restarts: 0, partitions: 0, repairs: 0, peers: 0, nonEmpty: 0 }
    for (const seed of list) {
      const w = runSchedule(seed)
      w.network.clock.advance(SETTLE_MS)
      for (const k of ['ops', 'crashes', 'restarts', 'partitions'] as const) totals[k] += w.counts[k]
      totals.repairs += w.repairs()
      totals.peers += w.replicas.length
      try {
        checkConverged(w)
      } catch (e) {
        failures.push(`seed ${seed}: ${(e as Error).message}\n  replay: ${replayCommand(FILE, seed)}\n  ${w.log.slice(-10).join('\n  ')}`)
        if (failures.length >= 5) break
      }
      const doc = w.docs()[0]
      if (doc !== undefined && (doc.getMap('data').size > 0 || doc.getArray('conv.list').length > 0 || doc.getText('conv.text').length > 0)) totals.nonEmpty++
    }
    expect(failures, failures.join('\n')).toEqual([])
    // The schedules must exercise something: edits, faults, and anti-entropy repairs after heals.
    expect(totals.ops).toBeGreaterThan(list.length * 10)
    expect(totals.nonEmpty).toBeGreaterThan(list.length * 0.9)
    if (list.length >= 50) {
      expect(totals.crashes).toBeGreaterThan(0)
      expect(totals.restarts).toBeGreaterThan(0)
      expect(totals.partitions).toBeGreaterThan(0)
      expect(totals.repairs).toBeGreaterThan(0)
    }
  })

  it.runIf(process.env.SSHIP_MEASURE_SETTLE === '1')('measures the settle time (SSHIP_MEASURE_SETTLE=1)', () => {
    const times: Array<{ seed: number; ms: number; peers: number }> = []
    for (const seed of list) {
      const w = runSchedule(seed)
      times.push({ seed, ms: timeToConverge(w, 60_000), peers: w.replicas.length })
    }
    const sorted = times.map((t) => t.ms).sort((a, b) => a - b)
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? -1
    const worst = [...times].sort((a, b) => b.ms - a.ms).slice(0, 5)
    console.log(`settle over ${times.length} seeds: p50=${at(0.5)} p90=${at(0.9)} p99=${at(0.99)} max=${at(1)} ms; slowest ${JSON.stringify(worst)}; never: ${times.filter((t) => t.ms < 0).map((t) => t.seed).join(',')}`)
    expect(times.every((t) => t.ms >= 0)).toBe(true)
  })
})
