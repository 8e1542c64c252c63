import type { Connection, PeerId, RequestState } from '@sship/core'
import { Cluster, compareAll, type Member } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import { enqueue } from '../src/queue/queueWrites.js'
import { queueView } from '../src/queue/queueView.js'
import { queueServer, type DequeueReply } from '../src/server/queueServer.js'

/**
 * The queue's server code on a simulated cluster (core's `Cluster`: in-memory network, virtual
 * time) with crashes of the coordinator, restarts and failback: every dequeue is decided once,
 * no student is handed to two TAs, and no enqueued student is lost. Seeded and replayable:
 * `SSHIP_SEED=7 npm test -w apps/queue -- queueServer.cluster`.
 */
const SEEDS = process.env.SSHIP_SEED !== undefined && process.env.SSHIP_SEED !== ''
  ? [Number(process.env.SSHIP_SEED)]
  : Array.from({ length: Number(process.env.SSHIP_SEEDS ?? 12) }, (_, i) => i + 1)

const SERVERS = 3
/** Clients c00..c02 are students, c03 and c04 are TAs. */
const STUDENTS = ['c00', 'c01', 'c02']
const TAS = ['c03', 'c04']
const STEPS = 120

interface Dequeue {
  readonly ta: string
  readonly connection: Connection
  readonly id: string
}

/** Sends a dequeue and returns its request id (the send's promise resolves in a microtask; tests read the status synchronously). */
function sendDequeue(connection: Connection, ta: string): string {
  void connection.send({ op: 'dequeue', ta })
  return connection.getRequests().at(-1)?.id ?? ''
}

/** The request's current state. */
const stateOf = (d: { connection: Connection; id: string }): RequestState | undefined => d.connection.getRequests().find((q) => q.id === d.id)
const answered = (d: { connection: Connection; id: string }): boolean => stateOf(d)?.status !== 'pending'
/** The term (`<epoch>:<leader>:<nonce>`) that decided a request: decision keys are `<term>#<seq>`. */
const leaderOf = (r: RequestState | undefined): string => r?.decision?.split('#')[0] ?? ''

function runScenario(seed: number): { cluster: Cluster; dequeues: Dequeue[]; enqueued: string[]; crashes: number } {
  const cluster = new Cluster({ seed, servers: SERVERS, clients: STUDENTS.length + TAS.length, handler: queueServer }).start()
  cluster.run(1500)
  const r = cluster.random
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r.next() * xs.length)] as T
  const dequeues: Dequeue[] = []
  const enqueued: string[] = []
  let crashes = 0
  const down: { id: PeerId; until: number }[] = []
  for (let step = 0; step < STEPS; step++) {
    const roll = r.next()
    if (roll < 0.45) {
      const m = cluster.member(pick(STUDENTS))
      const data = m.connection?.data
      if (data !== undefined) enqueued.push(enqueue(data, { name: `${m.id}-${step}`, topic: 't' }, { by: m.id, now: cluster.clock.now(), random: r }))
    } else if (roll < 0.85) {
      const ta = pick(TAS)
      const connection = cluster.member(ta).connection
      if (connection !== undefined) dequeues.push({ ta, connection, id: sendDequeue(connection, ta) })
    } else if (roll < 0.9 && down.length === 0) {
      // Crash whoever serves now; it comes back (empty, same GUID) a little later and fails back.
      const leader: Member | undefined = cluster.leaders()[0]
      if (leader !== undefined) {
        cluster.crash(leader.id)
        crashes++
        down.push({ id: leader.id, until: cluster.clock.now() + 300 + Math.floor(r.next() * 2000) })
      }
    }
    cluster.run(20 + Math.floor(r.next() * 120))
    for (let i = down.length - 1; i >= 0; i--) {
      const d = down[i]
      if (d !== undefined && cluster.clock.now() >= d.until) {
        cluster.restart(d.id)
        down.splice(i, 1)
      }
    }
  }
  for (const d of down) cluster.restart(d.id)
  // Settle: every dequeue answered and every replica equal (bounded in virtual time).
  cluster.runUntil(() => dequeues.every(answered), 30_000)
  cluster.run(6000)
  return { cluster, dequeues, enqueued, crashes }
}

describe('the queue server code under failover (simulated cluster)', () => {
  it.each(SEEDS)('seed %i: each student handed out at most once, each dequeue decided once, nobody lost', (seed) => {
    const replay = `SSHIP_SEED=${seed} npm test -w apps/queue -- queueServer.cluster`
    const { cluster, dequeues, enqueued, crashes } = runScenario(seed)
    const alive = cluster.alive()
    expect(alive.length, replay).toBe(SERVERS + STUDENTS.length + TAS.length)
    compareAll(alive.map((m) => m.connection?.doc).filter((d) => d !== undefined))

    // Every dequeue was answered, by a coordinator; the handed-out entries are distinct.
    expect(dequeues.filter((d) => !answered(d)).length, `unanswered dequeues; replay: ${replay}`).toBe(0)
    const replies = dequeues.map((d) => ({ ta: d.ta, result: stateOf(d) as RequestState }))
    const handed = replies.flatMap(({ ta, result }) => {
      if (result.status !== 'acknowledged') return []
      const reply = result.reply as DequeueReply
      return reply.ok ? [{ ta, id: reply.entry.id, term: leaderOf(result) }] : []
    })
    expect(replies.filter((x) => x.result.status !== 'acknowledged'), replay).toEqual([])
    expect(new Set(handed.map((h) => h.id)).size, `a student handed out twice; replay: ${replay}`).toBe(handed.length)

    // The server state agrees with the replies (on every replica), and nobody is lost.
    const conn = alive[0]?.connection
    if (conn === undefined) throw new Error('no live member')
    const state = conn.getState()
    for (const m of alive) expect(m.connection?.getState(), replay).toEqual(state)
    const view = queueView(conn.data.toJSON() as Record<string, unknown>, state)
    expect(Object.fromEntries(handed.map((h) => [h.id, h.ta])), replay).toEqual(state.assigned ?? {})
    expect(view.byId.size, `enqueued entries lost; replay: ${replay}`).toBe(enqueued.length)
    expect(view.waiting.length + view.assigned.length, replay).toBe(enqueued.length)
    // Dequeues answered "empty" only while nobody waited: at the end the queue is empty or every dequeue got someone.
    const empties = replies.filter((x) => x.result.status === 'acknowledged' && !(x.result.reply as DequeueReply).ok).length
    expect(handed.length + empties, replay).toBe(dequeues.length)
    expect(cluster.epochRegressions, replay).toEqual([])
    if (seed === SEEDS[0]) {
      console.info(`queue cluster seed ${seed}: ${enqueued.length} enqueued, ${handed.length} handed out, ${empties} empty, ${crashes} coordinator crashes, terms ${new Set(handed.map((h) => h.term)).size}`)
    }
  })

  it('a dequeue sent while the coordinator is down is served by the next one, and the host takes the role back', () => {
    const cluster = new Cluster({ seed: 99, servers: 3, clients: 2, handler: queueServer }).start()
    cluster.run(1500)
    const [host, second] = cluster.members as [Member, Member]
    const student = cluster.member('c00')
    const ta = cluster.member('c01')
    const data = student.connection?.data
    if (data === undefined) throw new Error('student not running')
    const first = enqueue(data, { name: 'Ali', topic: 'loops' }, { by: student.id, now: 1, random: cluster.random })
    const secondEntry = enqueue(data, { name: 'Bea', topic: 'proofs' }, { by: student.id, now: 2, random: cluster.random })
    cluster.run(300)
    const conn = ta.connection
    if (conn === undefined) throw new Error('TA not running')
    const d1 = { connection: conn, id: sendDequeue(conn, 'Tess') }
    cluster.run(300)
    expect(stateOf(d1)).toMatchObject({ status: 'acknowledged', reply: { ok: true, entry: { id: first } } })
    expect(leaderOf(stateOf(d1))).toContain(host.id)
    const epoch = conn.getSnapshot().epoch

    cluster.crash(host.id)
    const d2 = { connection: conn, id: sendDequeue(conn, 'Tess') }
    expect(cluster.runUntil(() => answered(d2), 5000)).toBeGreaterThan(0)
    expect(stateOf(d2)).toMatchObject({ status: 'acknowledged', reply: { ok: true, entry: { id: secondEntry } } })
    expect(leaderOf(stateOf(d2))).toContain(second.id)
    expect(conn.getSnapshot().epoch).toBeGreaterThan(epoch)

    cluster.restart(host.id)
    const failbackMs = cluster.runUntil(() => conn.getSnapshot().coordinator === host.id, 20_000)
    expect(failbackMs, 'failback after the hold-down').toBeGreaterThan(2900)
    const d3 = { connection: conn, id: sendDequeue(conn, 'Tess') }
    cluster.runUntil(() => answered(d3), 5000)
    expect(stateOf(d3)).toMatchObject({ status: 'acknowledged', reply: { ok: false, reason: 'empty' } })
    expect(leaderOf(stateOf(d3))).toContain(host.id)
  })
})
