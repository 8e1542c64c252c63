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
const SEEDS = [1, 2, 3, 4, 5]

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
