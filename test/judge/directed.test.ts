import { describe, expect, it } from 'vitest'
import { healAndJudge } from './finish.js'
import type { Verdict } from './verdict.js'
import { World, type ClientNode, type ServerNode } from './world.js'

/**
 * Issue 12's four directed scenarios, driven through the public API and MemoryNetwork's link
 * controls only, each judged by the same verdict as the property test (verdict.ts). Each runs
 * a few seeds of the network's jitter; a failure names the seed.
 */
const FILE = 'test/judge/directed.test.ts'
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]

function report(name: string, seed: number, v: Verdict): string {
  return `${name}, seed ${seed}: acked ${v.acked}, re-decided ${v.redecided} (reported ${v.reported}), corrupted ${v.corrupted}\n  ` +
    `${v.problems.join('\n  ')}\n  run: npx vitest run ${FILE} -t "${name}"`
}

/** Runs until every peer follows `leader`, or throws (the setup did not happen as the scenario needs). */
function settleOn(w: World, leader: ServerNode, maxMs = 10_000): void {
  const ok = w.runUntil(() => w.liveConnections().every((c) => c.getSnapshot().coordinator === leader.id), maxMs, 10)
  if (!ok) throw new Error(`setup: not every peer follows ${leader.id} after ${maxMs} ms`)
}

/** Runs 1 ms steps until client `c`'s request `id` shows as acknowledged; throws if it does not within `maxMs`. */
function untilAcked(w: World, c: ClientNode, id: string, maxMs = 5000): void {
  const ok = w.runUntil(() => c.conn.getRequests().find((r) => r.id === id)?.status === 'acknowledged', maxMs, 1)
  if (!ok) throw new Error(`setup: ${id} not acknowledged within ${maxMs} ms`)
}

describe('judge, directed: issue 12 scenario 1 (a re-decision nobody reports)', () => {
  const name = 'a successor that lacks the decision re-decides it, and the sender hears of it'
  it(name, async () => {
    const failures: string[] = []
    for (const seed of SEEDS) {
      // 3 servers, 2 clients, links at 40-100 ms. The coordinator's link to its successor is cut,
      // so its decision reaches the client but not the successor; it dies right after the ack.
      const w = new World({ seed, servers: 3, clients: 2, mode: 'availability', faults: { latencyMs: { min: 40, max: 100 } } }).start()
      const [s0, s1] = w.servers as [ServerNode, ServerNode, ServerNode]
      const [c0, c1] = w.clients as [ClientNode, ClientNode]
      settleOn(w, s0)
      w.send(c1, { op: 'enq', item: 'first' })
      w.run(1000)
      w.cut(s0.id, s1.id)
      w.run(30)
      const id = w.send(c0, { op: 'enq', item: 'a' })
      untilAcked(w, c0, id)
      w.crash(s0)
      w.send(c1, { op: 'deq' })
      w.run(5000)
      const v = await healAndJudge(w, 'availability')
      if (v.acked < 3) failures.push(`seed ${seed}: only ${v.acked} acknowledged, the scenario did not run`)
      if (v.problems.length > 0) failures.push(report(name, seed, v))
    }
    expect(failures, failures.join('\n')).toEqual([])
  })
})

describe('judge, directed: issue 12 scenario 2 (a fold that is not what the handler saw)', () => {
  const name = 'a claimer that lacks one decision of epoch 1 but holds epoch 2 on top of it keeps the fold true'
  it(name, async () => {
    const failures: string[] = []
    let setups = 0
    for (const seed of SEEDS) {
      // 3 servers, 1 client. s02 misses the dequeue that s00 decides in epoch 1 (its link is cut
      // for that frame), then gets s01's epoch-2 decision made on top of it, and nothing else: s01
      // dies as soon as the client has its reply. Links turn jittery; s02 claims.
      const w = new World({ seed, servers: 3, clients: 1, mode: 'availability', faults: { latencyMs: { min: 10, max: 10 } } }).start()
      const [s0, s1, s2] = w.servers as [ServerNode, ServerNode, ServerNode]
      const [c0] = w.clients as [ClientNode]
      settleOn(w, s0)
      w.send(c0, { op: 'enq', item: 'a' })
      w.send(c0, { op: 'enq', item: 'b' })
      w.run(1500)
      w.cut(s0.id, s2.id)
      const deqA = w.send(c0, { op: 'deq' })
      untilAcked(w, c0, deqA)
      w.crash(s0)
      const deqB = w.send(c0, { op: 'deq' })
      untilAcked(w, c0, deqB)
      w.cut(s1.id, s2.id)
      w.crash(s1)
      w.network.setFaults({ latencyMs: { min: 40, max: 100 } })
      w.run(3000)
      w.send(c0, { op: 'enq', item: 'c' })
      w.run(1000)
      w.send(c0, { op: 'deq' })
      w.send(c0, { op: 'deq' })
      w.run(2000)
      if (s2.server?.isServer() === true) setups++
      const v = await healAndJudge(w, 'availability')
      if (v.problems.length > 0) failures.push(report(name, seed, v))
    }
    expect(setups, 'the third server must end up serving, or the scenario did not run').toBeGreaterThan(0)
    expect(failures, failures.join('\n')).toEqual([])
  })
})

describe('judge, directed: issue 12 scenario 3 (quorum mode, failback handoff)', () => {
  const name = 'a handoff recipient cut off at once: nothing acknowledged in quorum mode is ever re-decided'
  it(name, async () => {
    const failures: string[] = []
    let setups = 0
    for (const seed of SEEDS) {
      // Quorum mode, 3 servers, 2 clients. s00 dies, another serves; s00 comes back with its
      // document and, after the hold-down, gets the role handed back. The moment it is the
      // server it is cut off from everyone; the clients keep sending.
      const w = new World({ seed, servers: 3, clients: 2, mode: 'quorum', faults: { latencyMs: { min: 5, max: 20 } } }).start()
      const [s0] = w.servers as [ServerNode, ServerNode, ServerNode]
      const [c0, c1] = w.clients as [ClientNode, ClientNode]
      settleOn(w, s0)
      w.send(c0, { op: 'enq', item: 'a' })
      w.run(1000)
      const saved = w.crash(s0)
      if (!w.runUntil(() => w.alive().some((s) => s.server?.isServer() === true), 15_000, 10)) throw new Error('setup: nobody took over')
      w.send(c1, { op: 'enq', item: 'b' })
      w.run(1000)
      w.restart(s0, saved)
      if (!w.runUntil(() => s0.server?.isServer() === true, 15_000, 1)) throw new Error('setup: s00 never got the role back')
      setups++
      w.partition([[s0.id]])
      for (let i = 0; i < 4; i++) {
        w.send(i % 2 === 0 ? c0 : c1, i % 2 === 0 ? { op: 'deq' } : { op: 'enq', item: `x${i}` })
        w.run(300)
      }
      w.run(3000)
      const v = await healAndJudge(w, 'quorum')
      if (v.problems.length > 0) failures.push(report(name, seed, v))
    }
    expect(setups).toBe(SEEDS.length)
    expect(failures, failures.join('\n')).toEqual([])
  })
})

describe('judge, directed: issue 12 scenario 4 (a second app from an empty start)', () => {
  for (const mode of ['availability', 'quorum'] as const) {
    const name = `an empty-started server cut off from everyone neither fences the established history nor loses its own requests (${mode})`
    it(name, async () => {
      const failures: string[] = []
      for (const seed of SEEDS) {
        // 3 servers, 2 clients build a history of 12 acknowledged requests. s02 restarts without
        // its document while its links are down, so it finds no app; it sends two requests of its
        // own. Then everything heals.
        const w = new World({ seed, servers: 3, clients: 2, mode, faults: { latencyMs: { min: 5, max: 20 } } }).start()
        const [s0, , s2] = w.servers as [ServerNode, ServerNode, ServerNode]
        const [c0, c1] = w.clients as [ClientNode, ClientNode]
        settleOn(w, s0)
        for (let i = 0; i < 12; i++) {
          w.send(i % 2 === 0 ? c0 : c1, i % 3 === 2 ? { op: 'deq' } : { op: 'enq', item: `h${i}` })
          w.run(200)
        }
        w.run(1000)
        w.crash(s2)
        w.partition([[s2.id]])
        w.restart(s2, undefined)
        w.run(2000)
        const newcomer = w.trackSender(s2)
        w.send(newcomer, { op: 'enq', item: 'mine' })
        w.send(newcomer, { op: 'deq' })
        w.run(2000)
        w.send(c0, { op: 'enq', item: 'late' })
        w.run(1000)
        const v = await healAndJudge(w, mode)
        // Beyond the verdict (which accepts reported re-decisions in availability mode): the
        // established history is never fenced, and the newcomer does not take the list's head.
        const fenced = [c0, c1].flatMap((c) => c.conn.getRequests()
          .filter((r) => c.acks.has(r.id) && r.decision !== c.acks.get(r.id)?.decision)
          .map((r) => `${r.id} ${c.acks.get(r.id)?.decision} -> ${r.decision}`))
        if (fenced.length > 0) failures.push(`seed ${seed}: ${fenced.length} acknowledged requests of the established app were re-decided, e.g. ${fenced.slice(0, 3).join(', ')}`)
        const head = s0.server?.getSnapshot().successors[0]
        if (head !== s0.id) failures.push(`seed ${seed}: the successorship list now starts with ${head}, not the initial host ${s0.id}`)
        if (v.acked < 12) failures.push(`seed ${seed}: only ${v.acked} acknowledged, the history was not built`)
        if (v.problems.length > 0) failures.push(report(name, seed, v))
      }
      expect(failures, failures.join('\n')).toEqual([])
    })
  }
})
