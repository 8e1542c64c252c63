import type { PeerId, Transport } from '@sship/core'
import { Cluster, checkCluster, tally } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import { CappedLinks, RelayTransport } from '../src/index.js'

const SEEDS = [1, 2, 3]
const replay = (seed: number): string => `seed ${seed}; replay: npx vitest run packages/webrtc/test/mesh.cluster.test.ts -t "seed ${seed}"`

/** A seeded cluster whose members link only along a capped mesh (k wanted links) under the relay layer. */
function meshCluster(seed: number, servers: number, clients: number, k: number): { c: Cluster; relays: Map<string, RelayTransport> } {
  const relays = new Map<string, RelayTransport>()
  const c: Cluster = new Cluster({
    seed, servers, clients,
    wrapTransport: (link: Transport, id: PeerId, incarnation: number) => {
      const clock = c.clock
      const relay = new RelayTransport({ inner: new CappedLinks({ inner: link, k }), clock, incarnation: incarnation + 1, defer: (fn) => clock.setTimeout(fn, 0) })
      relays.set(id, relay)
      return relay
    }
  })
  c.start()
  c.run(1500)
  return { c, relays }
}

const leaderIds = (c: Cluster): string[] => c.leaders().map((m) => m.id)

describe('sship on a capped mesh with relays (seeded)', () => {
  for (const seed of SEEDS) {
    it(`agrees on one coordinator that reaches peers it has no link to, and decides exactly once (seed ${seed})`, () => {
      const { c, relays } = meshCluster(seed, 14, 4, 2)
      const leader = c.leaders()[0]
      expect(leaderIds(c), replay(seed)).toEqual(['s00'])
      const notLinked = c.alive().filter((m) => m.id !== leader?.id && !relays.get(leader!.id)!.links().has(m.id))
      expect(notLinked.length, `some peers are not linked to the coordinator; ${replay(seed)}`).toBeGreaterThan(0)
      expect(c.alive().every((m) => m.connection!.getSnapshot().coordinator === 's00'), replay(seed)).toBe(true)
      for (let i = 0; i < 20; i++) {
        c.send(`c0${i % 4}`)
        c.run(30)
      }
      c.run(2000)
      const t = tally(c)
      expect({ acked: t.acked, duplicates: t.duplicates, lost: t.lost }, replay(seed)).toEqual({ acked: 20, duplicates: 0, lost: 0 })
      expect(checkCluster(c), replay(seed)).toEqual([])
      const forwarded = [...relays.values()].reduce((s, r) => s + r.stats.forwarded, 0)
      expect(forwarded, replay(seed)).toBeGreaterThan(0)
    })

    it(`fails over when the coordinator dies, but not when only a link between live peers breaks (seed ${seed})`, () => {
      const { c, relays } = meshCluster(seed, 14, 2, 2)
      const leader = c.leaders()[0]!
      // Break every link of the coordinator but one, on both sides: it stays reachable via relays.
      const links = [...relays.get(leader.id)!.links()]
      for (const peer of links.slice(1)) {
        c.closeLinkAt(leader.id, peer)
        c.closeLinkAt(peer, leader.id)
      }
      c.run(3000)
      expect(leaderIds(c), `no failover for lost links; ${replay(seed)}`).toEqual([leader.id])
      expect(c.events.filter((e) => e.event.type === 'suspected' && e.t > 1500), replay(seed)).toEqual([])
      expect(c.alive().every((m) => m.connection!.getSnapshot().coordinator === leader.id), replay(seed)).toBe(true)
      c.heal()
      c.crash(leader.id)
      const took = c.runUntil(() => leaderIds(c).length === 1 && c.alive().every((m) => m.connection!.getSnapshot().coordinator === leaderIds(c)[0]), 5000)
      expect(took, `everyone follows one new coordinator; ${replay(seed)}`).toBeGreaterThan(0)
      c.run(2000)
      expect(checkCluster(c), replay(seed)).toEqual([])
    })
  }
})
