import { describe, expect, it } from 'vitest'
import { tally } from '@sship/core/testing'
import { runSchedule } from './support/schedule.js'
import { chunks, replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/checkpoint.property.test.ts'
/** Small enough that every schedule writes several checkpoints and deletes the history behind them. */
const EVERY = 3

/**
 * The coordinator schedules (crashes, restarts from the old or an empty document, partitions,
 * drops, duplicates, reordering, stalls, hidden pages, leaves) with a checkpoint every 3
 * decisions: replicas fold from checkpoints, coordinators delete the history behind stable
 * ones, and after quiescence the same properties hold as without checkpoints.
 */
function runSeeds(list: readonly number[], mode: 'availability' | 'quorum'): { failures: string[]; acked: number; checkpointed: number; compacted: number } {
  const failures: string[] = []
  let acked = 0
  let checkpointed = 0
  let compacted = 0
  for (const seed of list) {
    const { problems, log, cluster } = runSchedule(seed, mode, { checkpointEvery: EVERY })
    acked += tally(cluster).acked
    const peer = cluster.alive().find((m) => m.connection !== undefined)?.connection?.peer
    if (peer?.ledger.base() != null) checkpointed++
    // History behind a stable checkpoint was deleted: the oldest term's decisions are gone.
    if (peer !== undefined && [...peer.ledger.allTerms()].some((t) => t.parent === null && !peer.app.decisions.has(`${t.epoch}:${t.leader}:${t.nonce.toString(36)}#0`))) compacted++
    if (problems.length > 0) {
      failures.push(`seed ${seed} (${mode}, checkpoint every ${EVERY}): ${problems.join('; ')}\n  replay: ${replayCommand(FILE, seed)}\n  ${log.slice(-8).join('\n  ')}`)
      if (failures.length >= 5) break
    }
  }
  return { failures, acked, checkpointed, compacted }
}

describe(`coordinator properties with a checkpoint every ${EVERY} decisions`, () => {
  for (const mode of ['availability', 'quorum'] as const) {
    for (const batch of chunks(seeds(200), 100)) {
      it(`hold for seeds ${batch[0]}..${batch.at(-1)} (${mode})`, () => {
        const { failures, acked, checkpointed, compacted } = runSeeds(batch, mode)
        expect(failures, failures.join('\n')).toEqual([])
        expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(batch.length)
        // The mechanism under test must run: most schedules fold from a checkpoint and compact.
        expect(checkpointed, 'schedules that ended on a checkpoint').toBeGreaterThan(batch.length / 2)
        expect(compacted, 'schedules whose first decisions were deleted').toBeGreaterThan(batch.length / 4)
      }, 300_000)
    }
  }
})
