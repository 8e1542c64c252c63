import type { Clock, PeerId, Transport } from '@sship/core'
import { tally } from '@sship/core/testing'
import { CappedLinks, RelayTransport } from '@sship/webrtc'
import { describe, expect, it } from 'vitest'
import { runSchedule } from './support/schedule.js'
import { chunks, replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/mesh.property.test.ts'

/**
 * The coordinator schedules (crashes, restarts, partitions, drops, duplicates, reordering) with
 * every member on a sparse capped mesh (k = 1: most pairs have no link) under the relay layer:
 * the same properties must hold when heartbeats, decisions and sync travel through relays.
 */
function onMesh(link: Transport, _id: PeerId, incarnation: number, clock: Clock): Transport {
  return new RelayTransport({ inner: new CappedLinks({ inner: link, k: 1 }), clock, incarnation: incarnation + 1, defer: (fn) => clock.setTimeout(fn, 0) })
}

describe('coordinator properties on a capped mesh with relays', () => {
  for (const batch of chunks(seeds(100), 50)) {
    it(`hold for seeds ${batch[0]}..${batch.at(-1)}`, () => {
      const failures: string[] = []
      let acked = 0
      for (const seed of batch) {
        const { problems, log, cluster } = runSchedule(seed, 'availability', { wrapTransport: onMesh })
        acked += tally(cluster).acked
        if (problems.length > 0) {
          failures.push(`seed ${seed}: ${problems.join('; ')}\n  replay: ${replayCommand(FILE, seed)}\n  ${log.slice(-8).join('\n  ')}`)
          if (failures.length >= 5) break
        }
      }
      expect(failures, failures.join('\n')).toEqual([])
      expect(acked, 'the schedules must acknowledge requests, or they test nothing').toBeGreaterThan(batch.length)
    }, 240_000)
  }
})
