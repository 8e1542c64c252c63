import type { Connection, PeerId, RequestState } from '@sship/core'
import { Cluster, compareAll, type Member } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import { readVoteState, tally } from '../src/poll/poll.js'
import { asVoteReply, voteServer, type VoteReply } from '../src/server/voteServer.js'

/**
 * The vote app's server code on core's simulated cluster (in-memory network, virtual time): a
 * teacher opens a poll, students vote (some twice, from two devices' worth of retries), the
 * server crashes mid-vote, comes back and fails back, and the teacher closes the poll twice.
 * Every voter is counted once, the close is decided once and freezes the result. Seeded and
 * replayable: `SSHIP_SEED=7 npm test -w apps/vote -- voteServer.cluster`.
 */
const SEEDS = process.env.SSHIP_SEED !== undefined && process.env.SSHIP_SEED !== ''
  ? [Number(process.env.SSHIP_SEED)]
  : Array.from({ length: Number(process.env.SSHIP_SEEDS ?? 8) }, (_, i) => i + 1)

const SERVERS = 3
const CLIENTS = 5
const OPTIONS = ['red', 'green', 'blue']
const STEPS = 80

interface Sent { readonly connection: Connection; readonly id: string; readonly voter?: string; readonly option?: number }

function send(connection: Connection, msg: Record<string, string | number | string[]>): Sent {
  void connection.send(msg)
  return { connection, id: connection.getRequests().at(-1)?.id ?? '' }
}
const stateOf = (s: Sent): RequestState | undefined => s.connection.getRequests().find((q) => q.id === s.id)
const answered = (s: Sent): boolean => stateOf(s)?.status !== 'pending'
const replyOf = (s: Sent): VoteReply => asVoteReply(stateOf(s)?.reply) ?? { ok: false, reason: 'bad-request' }

function client(cluster: Cluster, id: string): Connection {
  const connection = cluster.member(id).connection
  if (connection === undefined) throw new Error(`${id} not running`)
  return connection
}

describe('the vote server code under failover (simulated cluster)', () => {
  it.each(SEEDS)('seed %i: every voter counted once, the close decided once, the result frozen', (seed) => {
    const replay = `SSHIP_SEED=${seed} npm test -w apps/vote -- voteServer.cluster`
    const cluster = new Cluster({ seed, servers: SERVERS, clients: CLIENTS, handler: voteServer }).start()
    cluster.run(1500)
    const r = cluster.random
    const teacher = client(cluster, 'c00')
    const opened = send(teacher, { op: 'open', poll: 'p1', question: 'Colour?', options: OPTIONS, by: 'Ms T' })
    cluster.runUntil(() => answered(opened), 5000)
    expect(replyOf(opened), replay).toEqual({ ok: true })

    const votes: Sent[] = []
    let crashes = 0
    const down: { id: PeerId; until: number }[] = []
    for (let step = 0; step < STEPS; step++) {
      const roll = r.next()
      if (roll < 0.8) {
        // Students c01..c04; voter ids v0..v5, so some voters vote again (another tab, a retry).
        const from = `c0${1 + Math.floor(r.next() * (CLIENTS - 1))}`
        const voter = `v${Math.floor(r.next() * 6)}`
        const option = Math.floor(r.next() * OPTIONS.length)
        votes.push({ ...send(client(cluster, from), { op: 'vote', poll: 'p1', voter, option }), voter, option })
      } else if (roll < 0.88 && down.length === 0) {
        const leader: Member | undefined = cluster.leaders()[0]
        if (leader !== undefined) {
          cluster.crash(leader.id)
          crashes++
          down.push({ id: leader.id, until: cluster.clock.now() + 300 + Math.floor(r.next() * 2000) })
        }
      }
      cluster.run(20 + Math.floor(r.next() * 100))
      for (let i = down.length - 1; i >= 0; i--) {
        const d = down[i]
        if (d !== undefined && cluster.clock.now() >= d.until) {
          cluster.restart(d.id)
          down.splice(i, 1)
        }
      }
    }
    for (const d of down) cluster.restart(d.id)
    cluster.runUntil(() => votes.every(answered), 30_000)
    const closes = [send(teacher, { op: 'close', poll: 'p1', by: 'Ms T' }), send(client(cluster, 'c01'), { op: 'close', poll: 'p1', by: 'Ms T' })]
    cluster.runUntil(() => closes.every(answered), 10_000)
    const late = send(client(cluster, 'c02'), { op: 'vote', poll: 'p1', voter: 'late', option: 0 })
    cluster.runUntil(() => answered(late), 10_000)
    cluster.run(6000)

    const alive = cluster.alive()
    compareAll(alive.map((m) => m.connection?.doc).filter((d) => d !== undefined))
    expect(votes.filter((v) => stateOf(v)?.status !== 'acknowledged'), replay).toEqual([])
    // The first accepted vote of each voter is the one counted; every later one was refused with it.
    const accepted = new Map<string, number>()
    for (const v of votes) {
      const reply = replyOf(v)
      if (reply.ok) {
        expect(accepted.has(v.voter ?? ''), `voter ${v.voter} accepted twice; replay: ${replay}`).toBe(false)
        accepted.set(v.voter ?? '', v.option ?? -1)
      }
    }
    for (const v of votes) {
      const reply = replyOf(v)
      if (!reply.ok) expect(reply, replay).toEqual({ ok: false, reason: 'already-voted', option: accepted.get(v.voter ?? '') })
    }
    const expected = OPTIONS.map((_, i) => [...accepted.values()].filter((o) => o === i).length)
    const [first, second] = closes.map(replyOf)
    const okCloses = [first, second].filter((c) => c?.ok === true)
    expect(okCloses.length, `the close decided ${okCloses.length} times; replay: ${replay}`).toBe(1)
    expect(okCloses[0]?.result, replay).toEqual(expected)
    expect([first, second].find((c) => c?.ok === false), replay).toEqual({ ok: false, reason: 'already-closed', result: expected })
    expect(replyOf(late), replay).toEqual({ ok: false, reason: 'closed' })
    for (const m of alive) {
      const state = readVoteState(m.connection?.getState() ?? {})
      const poll = state.polls.p1
      expect(poll?.status, replay).toBe('closed')
      if (poll !== undefined) expect(tally(state, poll), replay).toEqual(expected)
    }
    expect(cluster.epochRegressions, replay).toEqual([])
    if (seed === SEEDS[0]) console.info(`vote cluster seed ${seed}: ${votes.length} votes sent, ${accepted.size} voters counted, ${crashes} server crashes`)
  })
})
