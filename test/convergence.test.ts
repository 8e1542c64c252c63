import { describe, expect, it } from 'vitest'
import { SETTLE_MS, checkConverged, runSchedule, timeToConverge } from './support/convergence.js'
import { chunks, replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/convergence.test.ts'

/** Runs `list` seeds: schedule, settle, one check each. Returns failures (with replay commands) and totals. */
function runSeeds(list: readonly number[]): { failures: string[]; totals: Record<string, number> } {
  const failures: string[] = []
  const totals = { peers: 0, ops: 0, crashes: 0, restarts: 0, partitions: 0, repairs: 0, nonEmpty: 0 }
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
    if (doc !== undefined && doc.getMap('data').size + doc.getArray('conv.list').length + doc.getText('conv.text').length > 0) totals.nonEmpty++
  }
  return { failures, totals }
}

describe('replicas converge under random edits, latency, drops, duplicates, reordering, partitions, crashes and restarts', () => {
  for (const batch of chunks(seeds(200), 100)) {
    it(`for seeds ${batch[0]}..${batch.at(-1)}, after ${SETTLE_MS} ms of calm`, () => {
      const { failures, totals } = runSeeds(batch)
      expect(failures, failures.join('\n')).toEqual([])
      // The schedules must exercise something: edits that survive, faults, and anti-entropy repairs after heals.
      expect(totals.ops).toBeGreaterThan(batch.length * 10)
      expect(totals.nonEmpty).toBeGreaterThan(batch.length * 0.9)
      if (batch.length >= 50) {
        for (const k of ['crashes', 'restarts', 'partitions', 'repairs']) expect(totals[k], k).toBeGreaterThan(0)
      }
    }, 120_000)
  }

  it.runIf(process.env.SSHIP_MEASURE_SETTLE === '1')('measures the settle time (SSHIP_MEASURE_SETTLE=1)', () => {
    const times = seeds(200).map((seed) => {
      const w = runSchedule(seed)
      return { seed, ms: timeToConverge(w, 60_000), peers: w.replicas.length }
    })
    const sorted = times.map((t) => t.ms).sort((a, b) => a - b)
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? -1
    const worst = [...times].sort((a, b) => b.ms - a.ms).slice(0, 5)
    console.log(`settle over ${times.length} seeds: p50=${at(0.5)} p90=${at(0.9)} p99=${at(0.99)} max=${at(1)} ms; slowest ${JSON.stringify(worst)}`)
    expect(times.filter((t) => t.ms < 0), 'seeds that never converged').toEqual([])
  }, 3_600_000)
})
