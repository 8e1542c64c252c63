import * as Y from 'yjs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Cluster, checkCluster, type TraceEntry } from '@sship/core/testing'

/** Everything observable about one run, for comparing two runs. */
interface Run {
  readonly trace: readonly TraceEntry[]
  readonly clientIds: number[]
  readonly docs: string[]
  readonly events: string
  readonly dropped: number
  readonly duplicated: number
  readonly problems: string[]
}

/**
 * A fixed script on a seeded cluster: servers and clients, sends, a crash, a partition with sends
 * on both sides, a heal, a restart with an empty doc, under latency, loss, duplication and reordering.
 */
function scenario(seed: number): Run {
  const c = new Cluster({
    seed,
    servers: 3,
    clients: 2,
    trace: true,
    faults: { latencyMs: { min: 1, max: 20 }, dropRate: 0.05, duplicateRate: 0.05, reorderRate: 0.1 }
  }).start()
  c.run(500)
  for (let i = 0; i < 10; i++) {
    c.send(c.members[i % c.members.length]?.id ?? 's00')
    c.run(40)
  }
  c.crash('s00')
  c.run(600)
  c.send('c00')
  c.partition([['s01', 'c00'], ['s02', 'c01']])
  c.send('c00')
  c.send('c01')
  c.run(800)
  c.heal()
  c.restart('s00')
  c.send('s00')
  c.run(1500)
  c.network.setFaults({ dropRate: 0, duplicateRate: 0, reorderRate: 0 })
  c.run(6000)
  const alive = c.alive().map((m) => m.connection?.peer)
  const { dropped, duplicated } = c.network.stats().total
  return {
    trace: c.network.trace(),
    clientIds: alive.map((p) => p?.doc.clientID ?? -1),
    docs: alive.map((p) => (p === undefined ? '' : Buffer.from(Y.encodeStateAsUpdate(p.doc)).toString('base64'))),
    events: JSON.stringify(c.events),
    dropped,
    duplicated,
    problems: checkCluster(c)
  }
}

describe('the in-memory network and the peers replay a seed byte for byte', () => {
  it('gives equal traces, documents and role events for the same seed', () => {
    const first = scenario(20_240)
    const second = scenario(20_240)
    expect(first.problems).toEqual([])
    expect(first.trace.length, 'the scenario must move traffic').toBeGreaterThan(1000)
    expect(first.dropped).toBeGreaterThan(0)
    expect(first.duplicated).toBeGreaterThan(0)
    expect(new Set(first.trace.map((e) => e.from)).size).toBe(5)
    expect(second.trace.length).toBe(first.trace.length)
    const firstDiff = first.trace.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(second.trace[i]))
    expect(firstDiff, `traces differ first at entry ${firstDiff}`).toBe(-1)
    expect(second.trace).toEqual(first.trace)
    expect(second.clientIds).toEqual(first.clientIds)
    expect(second.docs).toEqual(first.docs)
    expect(second.events).toBe(first.events)
  })

  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('reads no ambient time or randomness: Math random numbers, Date.now and performance.now stay uncalled', () => {
    const spies = [vi.spyOn(Math, 'random'), vi.spyOn(Date, 'now'), vi.spyOn(performance, 'now')]
    scenario(7)
    expect(spies.map((s) => s.mock.calls.length)).toEqual([0, 0, 0])
  })

  it('gives a different trace for a different seed', () => {
    const a = scenario(1)
    const b = scenario(2)
    expect(b.trace).not.toEqual(a.trace)
    expect(b.clientIds).not.toEqual(a.clientIds)
  })
})
