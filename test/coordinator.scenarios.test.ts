import { describe, expect, it } from 'vitest'
import { HandlerError, NotCoordinatorError, type PeerId } from '@sship/core'
import { Cluster, checkCluster, tally } from '@sship/core/testing'

const leaderIds = (c: Cluster): string[] => c.leaders().map((m) => m.id)
const successors = (c: Cluster): readonly PeerId[] => c.alive()[0]!.connection!.getSnapshot().successors

function started(servers: number, clients = 0, seed = 1): Cluster {
  const c = new Cluster({ seed, servers, clients }).start()
  c.run(1000)
  expect(leaderIds(c)).toEqual(['s00'])
  expect(successors(c)[0]).toBe('s00')
  expect(successors(c)).toHaveLength(servers)
  return c
}

describe('failover', () => {
  it('replaces a crashed coordinator with the next alive successor, once, within the detector bound', () => {
    const c = started(5, 2)
    const next = successors(c)[1]!
    c.crash('s00')
    const took = c.runUntil(() => leaderIds(c).length === 1 && c.alive().every((m) => m.connection!.getSnapshot().coordinator === next), 5000)
    expect(leaderIds(c)).toEqual([next])
    // suspectMs 250 + catch-up + one heartbeat: far below awareness' 30 s.
    expect(took).toBeGreaterThan(0)
    expect(took).toBeLessThan(600)
    c.run(3000)
    expect(c.events.filter((e) => e.event.type === 'claimed' && e.t > 1000).map((e) => e.peer)).toEqual([next])
    expect(checkCluster(c)).toEqual([])
  })

  it('skips a successor that died with the coordinator', () => {
    const c = started(5, 1)
    const [, first, second] = successors(c)
    c.crash('s00')
    c.crash(first!)
    c.runUntil(() => leaderIds(c).length === 1, 5000)
    expect(leaderIds(c)).toEqual([second])
    c.run(2000)
    expect(checkCluster(c)).toEqual([])
  })

  it('survives a chain of failures down to one survivor, deciding every request exactly once', () => {
    const c = started(5, 1)
    for (const victim of successors(c).slice(0, 4)) {
      for (let i = 0; i < 5; i++) {
        c.send('c00')
        c.run(40)
      }
      c.crash(victim)
      c.run(1500)
      expect(leaderIds(c)).toHaveLength(1)
    }
    c.send('c00')
    c.run(1000)
    const t = tally(c)
    expect(t.acked).toBe(21)
    expect(t.duplicates).toBe(0)
    expect(t.lost).toBe(0)
    expect(checkCluster(c)).toEqual([])
  })

  it('decides requests sent before and during a failover exactly once', () => {
    const c = started(3, 3)
    for (let i = 0; i < 30; i++) {
      c.send(`c0${i % 3}`)
      if (i === 10) c.crash('s00')
      c.run(25)
    }
    c.run(2000)
    const t = tally(c)
    expect(t.sent).toBe(30)
    expect(t.acked).toBe(30)
    expect(t.processed).toBe(30)
    expect(t.duplicates).toBe(0)
    expect(checkCluster(c)).toEqual([])
  })

  it('does not fail over when failover is disabled (the single-host baseline)', () => {
    const c = new Cluster({ seed: 3, servers: 3, clients: 1, failover: false }).start()
    c.run(1000)
    c.crash('s00')
    c.run(5000)
    expect(leaderIds(c)).toEqual([])
    const rec = c.send('c00')
    c.run(1000)
    expect(rec.ackAt).toBeUndefined()
    expect(c.member('c00').connection!.getRequests()[0]!.status).toBe('pending')
  })
})

describe('failback', () => {
  it('gives the role back to the returning initial host only after the hold-down, losing nothing', () => {
    const c = started(3, 2)
    c.crash('s00')
    c.run(1500)
    const interim = leaderIds(c)[0]
    expect(interim).toBeDefined()
    c.restart('s00')
    const back = c.clock.now()
    for (let i = 0; i < 40; i++) {
      c.send(i % 2 === 0 ? 'c00' : 'c01')
      c.run(100)
      if (c.clock.now() - back < 2900) expect(leaderIds(c)).toEqual([interim])
    }
    c.run(1000)
    expect(leaderIds(c)).toEqual(['s00'])
    const claim = c.events.find((e) => e.peer === 's00' && e.t > back && e.event.type === 'claimed')
    expect(claim?.event.type === 'claimed' && claim.event.handoff).toBe(true)
    expect(claim!.t - back).toBeGreaterThanOrEqual(3000)
    const t = tally(c)
    expect(t.acked).toBe(40)
    expect(t.duplicates + t.lost).toBe(0)
    expect(checkCluster(c)).toEqual([])
  })

  it('does not flap while the initial host\'s link flaps, and fails back once it is stable', () => {
    const c = started(3, 1)
    c.crash('s00')
    c.run(1500)
    const interim = leaderIds(c)[0]!
    c.restart('s00')
    const others = c.members.filter((m) => m.id !== 's00').map((m) => m.id)
    const claimsBefore = c.events.filter((e) => e.event.type === 'claimed').length
    // 10 s of a bad link: 400 ms down, 600 ms up.
    for (let i = 0; i < 10; i++) {
      c.partition([['s00'], others])
      c.run(400)
      c.heal()
      c.send('c00')
      c.run(600)
    }
    const flapClaims = c.events.filter((e) => e.event.type === 'claimed').slice(claimsBefore)
    expect(flapClaims.filter((e) => e.peer !== 's00')).toEqual([])
    expect(c.leaders().map((m) => m.id).filter((id) => id !== 's00')).toEqual([interim])
    c.run(5000)
    expect(leaderIds(c)).toEqual(['s00'])
    expect(checkCluster(c)).toEqual([])
  })
})

describe('partitions', () => {
  const shapes: Array<[string, string[][]]> = [
    ['coordinator alone', [['s00'], ['s01', 's02', 's03', 'c00', 'c01']]],
    ['coordinator with a client', [['s00', 'c00'], ['s01', 's02', 's03', 'c01']]],
    ['three ways', [['s00', 'c00'], ['s01', 'c01'], ['s02', 's03']]],
    ['clients cut off', [['c00', 'c01'], ['s00', 's01', 's02', 's03']]],
    ['everyone alone', [['s00'], ['s01'], ['s02'], ['s03'], ['c00'], ['c01']]]
  ]
  for (const [name, groups] of shapes) {
    it(`heals to one coordinator (${name})`, () => {
      const c = started(4, 2, 7)
      c.partition(groups)
      for (let i = 0; i < 20; i++) {
        c.send(i % 2 === 0 ? 'c00' : 'c01')
        c.run(100)
      }
      c.run(4000)
      for (const g of groups) {
        const lead = c.leaders().filter((m) => g.includes(m.id))
        expect(lead.length, `leaders in ${g.join(',')}`).toBe(g.some((id) => id.startsWith('s')) ? 1 : 0)
      }
      c.heal()
      const healed = c.runUntil(() => leaderIds(c).length === 1, 3000)
      expect(healed).toBeGreaterThanOrEqual(0)
      expect(healed).toBeLessThanOrEqual(300)
      c.run(8000)
      expect(checkCluster(c)).toEqual([])
    })
  }
})

describe('server API', () => {
  it('fails a send whose handler throws, with a HandlerError, and keeps serving', async () => {
    const c = new Cluster({
      seed: 5, servers: 2, clients: 1,
      handler: (server) => (msg) => {
        if (msg === 'boom') throw new Error('no such command')
        server.commitChange({ last: msg })
        return 'ok'
      }
    }).start()
    c.run(1000)
    const conn = c.member('c00').connection!
    const bad = conn.send('boom')
    const good = conn.send('hello')
    c.run(500)
    const [b, g] = await Promise.all([bad, good])
    expect(b.status).toBe('failed')
    expect(b.status === 'failed' && b.error).toBeInstanceOf(HandlerError)
    expect(g).toMatchObject({ status: 'acknowledged', reply: 'ok', by: 's00', epoch: 1 })
    expect(conn.getState()).toEqual({ last: 'hello' })
    expect(conn.getRequests().map((r) => r.status)).toEqual(['failed', 'acknowledged'])
  })

  it('refuses commits on a peer that is not the server, and accepts them on the server', () => {
    const c = new Cluster({ seed: 6, servers: 2 }).start()
    c.run(1000)
    expect(() => c.member('s01').server!.commitState({ x: 1 })).toThrow(NotCoordinatorError)
    c.member('s00').server!.commitState({ x: 2 })
    c.member('s00').server!.commitChange({ y: 3 })
    c.run(200)
    expect(c.member('s01').server!.getState()).toEqual({ x: 2, y: 3 })
  })

  it('delivers replies to onReceive and keeps snapshot identity while nothing changes', () => {
    const c = started(2, 1)
    const conn = c.member('c00').connection!
    const replies: unknown[] = []
    conn.onReceive((m) => replies.push(m))
    c.send('c00')
    c.run(300)
    expect(replies).toEqual([{ token: 't0', n: 1 }])
    const a = conn.getSnapshot()
    c.run(1000)
    expect(conn.getSnapshot()).toBe(a)
    expect(conn.getState()).toBe(conn.getState())
  })
})

describe('without a coordinator', () => {
  it('keeps reads and commutative writes working, and sends pending until a coordinator decides them', () => {
    const c = started(2, 2)
    c.crash('s00')
    c.crash('s01')
    c.run(1000)
    const a = c.member('c00').connection!
    const b = c.member('c01').connection!
    a.data.set('entry', { name: 'Ada', topic: 'CRDTs' })
    const rec = c.send('c00')
    c.run(500)
    expect(b.data.get('entry')).toEqual({ name: 'Ada', topic: 'CRDTs' })
    expect(a.getSnapshot().coordinator).toBeNull()
    expect(a.getSnapshot().failoverInProgress).toBe(true)
    expect(a.getRequests().at(-1)?.status).toBe('pending')
    expect(rec.ackAt).toBeUndefined()
    c.restart('s01')
    c.run(3000)
    expect(rec.ackAt).toBeDefined()
    expect(a.getRequests().at(-1)?.status).toBe('acknowledged')
  })
})

describe('quorum mode', () => {
  it('lets only the majority side serve, and never re-decides an acknowledged request', () => {
    const c = new Cluster({ seed: 11, servers: 5, clients: 2, mode: 'quorum' }).start()
    c.run(4000)
    expect(leaderIds(c)).toEqual(['s00'])
    c.partition([['s00', 's01', 'c00'], ['s02', 's03', 's04', 'c01']])
    for (let i = 0; i < 20; i++) {
      c.send('c00')
      c.send('c01')
      c.run(100)
    }
    c.run(3000)
    const minoritySends = c.sent.filter((s) => s.from === 'c00' && s.sentAt > 4000)
    expect(minoritySends.filter((s) => s.ackAt !== undefined && s.ackAt > 4300)).toEqual([])
    expect(c.leaders().filter((m) => ['s02', 's03', 's04'].includes(m.id))).toHaveLength(1)
    c.heal()
    c.run(8000)
    const t = tally(c)
    expect(t.superseded).toBe(0)
    expect(t.acked).toBe(t.sent)
    expect(checkCluster(c)).toEqual([])
  })
})

describe('links that are not transitive (one broken link, everyone else linked)', () => {
  const claimsAfter = (c: Cluster, t: number): string[] => c.events.filter((e) => e.event.type === 'claimed' && e.t > t).map((e) => e.peer)

  // Seed 3: the list is s00, then the others in the order they joined.
  for (const [what, victimOf] of [['the next successor', (l: readonly PeerId[]) => l[1]!], ['the last successor', (l: readonly PeerId[]) => l.at(-1)!], ['a client', () => 'c00']] as const) {
    it(`a peer that lost only its link to the coordinator (${what}) follows it through the others: no claim, no churn`, () => {
      const c = started(5, 1, 3)
      const victim = victimOf(successors(c))
      c.cutLink('s00', victim)
      const cutAt = c.clock.now()
      for (let i = 0; i < 100; i++) {
        c.send(i % 2 === 0 ? victim : 's02')
        c.run(100)
      }
      c.run(1000)
      expect(claimsAfter(c, cutAt)).toEqual([])
      expect(leaderIds(c)).toEqual(['s00'])
      for (const m of c.alive()) {
        const s = m.connection!.getSnapshot()
        expect([m.id, s.coordinator, s.failoverInProgress]).toEqual([m.id, 's00', false])
      }
      // The cut-off peer's requests travel through the replicated document: all decided once.
      const t = tally(c)
      expect([t.acked, t.duplicates, t.lost]).toEqual([100, 0, 0])
      c.heal()
      c.run(2000)
      expect(checkCluster(c)).toEqual([])
    })
  }

  it('the coordinator still fails over when it dies after a link was cut, and the cut-off peer follows the successor', () => {
    const c = started(5, 1, 3)
    const list = successors(c)
    const [next, last] = [list[1]!, list.at(-1)!]
    c.cutLink('s00', last)
    c.run(2000)
    const crashAt = c.clock.now()
    c.crash('s00')
    c.runUntil(() => leaderIds(c).length === 1 && c.alive().every((m) => m.connection!.getSnapshot().coordinator === next), 3000)
    expect(leaderIds(c)).toEqual([next])
    c.run(5000)
    expect(claimsAfter(c, crashAt)).toEqual([next])
    expect(c.member(last).connection!.getSnapshot()).toMatchObject({ coordinator: next, failoverInProgress: false })
    expect(checkCluster(c)).toEqual([])
  })
  it('a returning initial host that cannot reach the interim coordinator follows it without flapping, and fails back once the link is mended', () => {
    const c = started(4, 1, 5)
    c.crash('s00')
    c.run(1500)
    const interim = leaderIds(c)[0]!
    c.restart('s00')
    c.cutLink('s00', interim)
    const back = c.clock.now()
    for (let i = 0; i < 80; i++) {
      c.send('c00')
      c.run(100)
    }
    expect(claimsAfter(c, back)).toEqual([])
    expect(c.member('s00').connection!.getSnapshot()).toMatchObject({ coordinator: interim, failoverInProgress: false })
    c.heal()
    const mended = c.clock.now()
    c.run(5000)
    expect(leaderIds(c)).toEqual(['s00'])
    expect(claimsAfter(c, mended)).toEqual(['s00'])
    const t = tally(c)
    expect(t.duplicates + t.lost).toBe(0)
    expect(checkCluster(c)).toEqual([])
  })
})

describe('a crash one peer notices at once (its link closed) and the others by silence', () => {
  it('the next in the list claims at once: the others, which heard the dead coordinator no later than it did, do not vouch for it', () => {
    const c = started(5, 1, 3)
    const [, next] = successors(c)
    // The coordinator's last heartbeat reached everyone; then it dies, and only `next` sees its link close.
    c.run(20)
    const crashAt = c.clock.now()
    c.crash('s00')
    c.closeLinkAt(next!, 's00')
    c.run(5000)
    const claims = c.events.filter((e) => e.event.type === 'claimed' && e.t > crashAt)
    // Without comparing silences the others vouched for the dead coordinator for a moment: the
    // next peer deferred, a later one claimed, and the next one took the role back 3 s later.
    expect(claims.map((e) => e.peer)).toEqual([next])
    expect(claims[0]!.t - crashAt).toBeLessThan(100)
    expect(leaderIds(c)).toEqual([next])
    expect(checkCluster(c)).toEqual([])
  })
})
