import { describe, expect, it } from 'vitest'
import { tally } from '@sship/core/testing'
import { runSchedule } from './support/schedule.js'
import { replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/coordinator.property.test.ts'

describe('coordinator properties under random crashes, partitions, drops, duplicates and reordering', () => {
  const list = seeds(500)
  it(`hold for ${list.length} seeds`, () => {
    const failures: string[] = []
    let acked = 0
    for (const seed of list) {
      const { problems, log, cluster } = runSchedule(seed)
      acked += tally(cluster).acked
      if (problems.length > 0) {
        failures.push(`seed ${seed}: ${problems.join('; ')}\n  replay: ${replayCommand(FILE, seed)}\n  ${log.slice(-8).join('\n  ')}`)
        if (failures.length >= 5) break
      }
    }
    expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(list.length)
    expect(failures, failures.join('\n')).toEqual([])
  })
})

describe('quorum mode: a minority never decides, nothing acknowledged is ever decided twice', () => {
  const list = seeds(300)
  it(`holds for ${list.length} seeds`, () => {
    const failures: string[] = []
    let acked = 0
    for (const seed of list) {
      const { problems, log, cluster } = runSchedule(seed, 'quorum')
      acked += tally(cluster).acked
      if (problems.length > 0) {
        failures.push(`seed ${seed} (quorum): ${problems.join('; ')}\n  replay: ${replayCommand(FILE, seed)}\n  ${log.slice(-8).join('\n  ')}`)
        if (failures.length >= 5) break
      }
    }
    expect(failures, failures.join('\n')).toEqual([])
    // A minority stalls by design, so fewer requests are acknowledged than in availability mode.
    expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(list.length / 4)
  })
})
