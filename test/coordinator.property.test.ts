import { describe, expect, it } from 'vitest'
import { tally } from '@sship/core/testing'
import { runSchedule } from './support/schedule.js'
import { chunks, replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/coordinator.property.test.ts'

/** Runs `list` seeds in `mode`; returns failures (with replay commands) and the total acks. */
function runSeeds(list: readonly number[], mode: 'availability' | 'quorum', closesOnCrash = false): { failures: string[]; acked: number } {
  const failures: string[] = []
  let acked = 0
  for (const seed of list) {
    const { problems, log, cluster } = runSchedule(seed, mode, { closesOnCrash })
    acked += tally(cluster).acked
    if (problems.length > 0) {
      failures.push(`seed ${seed} (${mode}${closesOnCrash ? ', closesOnCrash' : ''}): ${problems.join('; ')}\n  replay: ${replayCommand(FILE, seed)}\n  ${log.slice(-8).join('\n  ')}`)
      if (failures.length >= 5) break
    }
  }
  return { failures, acked }
}

describe('coordinator properties under random crashes, partitions, drops, duplicates and reordering', () => {
  // Checked after quiescence: one coordinator everyone follows, converged replicas, every
  // acknowledged request applied exactly once, nothing undecided, epochs never going back.
  for (const batch of chunks(seeds(500), 100)) {
    it(`hold for seeds ${batch[0]}..${batch.at(-1)}`, () => {
      const { failures, acked } = runSeeds(batch, 'availability')
      expect(failures, failures.join('\n')).toEqual([])
      expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(batch.length)
    }, 120_000)
  }
})

describe('quorum mode: a minority never decides, nothing acknowledged is ever decided twice', () => {
  for (const batch of chunks(seeds(300), 100)) {
    it(`holds for seeds ${batch[0]}..${batch.at(-1)}`, () => {
      const { failures, acked } = runSeeds(batch, 'quorum')
      expect(failures, failures.join('\n')).toEqual([])
      // A minority stalls by design, so fewer requests are acknowledged than in availability mode.
      expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(batch.length / 4)
    }, 120_000)
  }
})

describe('on a transport that closes a dead peer\'s links (closesOnCrash: silence gets timing.stallMs, kills close links)', () => {
  for (const mode of ['availability', 'quorum'] as const) {
    it(`hold for seeds 1..100 (${mode})`, () => {
      const { failures, acked } = runSeeds(seeds(100), mode, true)
      expect(failures, failures.join('\n')).toEqual([])
      expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(mode === 'quorum' ? 25 : 100)
    }, 120_000)
  }
})
