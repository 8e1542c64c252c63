/**
 * The coordinator properties with peer identities on (issue [G]): every term and decision is
 * signed (a deterministic SimulatedKeyring, so seeds replay exactly) and replicas count only
 * verified entries. Same schedules and checks as coordinator.property.test.ts: one coordinator
 * everyone follows after quiescence, converged replicas, exactly-once, epochs never going back;
 * plus: every entry verified, nothing rejected among honest peers.
 */
import { describe, expect, it } from 'vitest'
import { tally, type Cluster } from '@sship/core/testing'
import { runSchedule } from './support/schedule.js'
import { chunks, replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/identity.property.test.ts'

/** Identity-specific problems of a quiescent honest cluster. */
function identityProblems(c: Cluster): string[] {
  const problems: string[] = []
  for (const m of c.alive()) {
    const peer = m.connection?.peer
    if (peer?.authority === undefined) {
      problems.push(`${m.id} runs without identity`)
      continue
    }
    const held = peer.ledger.unverifiedEntries()
    if (held > 0) problems.push(`${m.id} holds ${held} entries unverified`)
    const rejected = Object.entries(peer.authority.rejected)
    if (rejected.length > 0) problems.push(`${m.id} rejected honest entries: ${JSON.stringify(Object.fromEntries(rejected))}`)
    if (!m.id.includes('~')) problems.push(`${m.id} is not a self-certifying GUID`)
  }
  return problems
}

function runSeeds(list: readonly number[], mode: 'availability' | 'quorum'): { failures: string[]; acked: number; verified: number } {
  const failures: string[] = []
  let acked = 0
  let verified = 0
  for (const seed of list) {
    const { problems, log, cluster } = runSchedule(seed, mode, { identity: true })
    acked += tally(cluster).acked
    for (const m of cluster.alive()) verified += m.connection?.peer.authority?.verifications.done ?? 0
    const all = [...problems, ...identityProblems(cluster)]
    if (all.length > 0) {
      failures.push(`seed ${seed} (${mode}, identity): ${all.join('; ')}\n  replay: ${replayCommand(FILE, seed)}\n  ${log.slice(-8).join('\n  ')}`)
      if (failures.length >= 5) break
    }
  }
  return { failures, acked, verified }
}

describe('with peer identities: coordinator properties under crashes, partitions, drops, duplicates and reordering', () => {
  for (const batch of chunks(seeds(80), 40)) {
    it(`hold for seeds ${batch[0]}..${batch.at(-1)} (availability)`, () => {
      const { failures, acked, verified } = runSeeds(batch, 'availability')
      expect(failures, failures.join('\n')).toEqual([])
      expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(batch.length)
      expect(verified, 'replicas must verify signatures, or identity is not on').toBeGreaterThan(batch.length * 10)
    }, 120_000)
  }
  for (const batch of chunks(seeds(40), 40)) {
    it(`hold for seeds ${batch[0]}..${batch.at(-1)} (quorum)`, () => {
      const { failures, acked, verified } = runSeeds(batch, 'quorum')
      expect(failures, failures.join('\n')).toEqual([])
      expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(batch.length / 4)
      expect(verified, 'replicas must verify signatures, or identity is not on').toBeGreaterThan(batch.length * 10)
    }, 120_000)
  }
})
