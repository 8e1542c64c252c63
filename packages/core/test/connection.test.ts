/**
 * Connection bookkeeping: replies go to the connection that sent the request (not to every
 * connection on the same peer), and a connection keeps a bounded request history.
 */
import { describe, expect, it } from 'vitest'
import { asPeerId, Connection, connect, initServer, seededRandom, type Json } from '@sship/core'
import { MemoryNetwork, tokenCounter } from '@sship/core/testing'

function oneHost(seed: number) {
  const network = new MemoryNetwork({ seed })
  const server = initServer('routing', { transport: network.transport(asPeerId('s00')), clock: network.clock, random: seededRandom(seed) })
  server.onReceive(tokenCounter(server))
  const run = (done: () => boolean): void => {
    for (let i = 0; i < 2000 && !done(); i++) network.clock.advance(10)
  }
  run(() => server.getSnapshot().isServer)
  return { network, server, run }
}

describe('Connection', () => {
  it('hands a reply only to the connection that sent the request (seed 1)', () => {
    const { server, run } = oneHost(1)
    const a = connect('routing', { peer: server.peer })
    const b = connect('routing', { peer: server.peer })
    const gotA: Json[] = []
    const gotB: Json[] = []
    a.onReceive((m) => gotA.push(m))
    b.onReceive((m) => gotB.push(m))
    void a.send({ token: 'from-a' })
    run(() => a.getRequests()[0]?.status === 'acknowledged')
    expect(a.getRequests()[0]?.status).toBe('acknowledged')
    expect(gotA).toEqual([{ token: 'from-a', n: 1 }])
    expect(gotB, "b never sent anything, so it hears no reply").toEqual([])
    expect(b.getRequests()).toEqual([])
  })

  it('keeps every pending request and only the last settledKept settled ones (seed 2)', () => {
    const { server, run } = oneHost(2)
    const c = new Connection(server.peer, 5)
    const replies: Json[] = []
    c.onReceive((m) => replies.push(m))
    for (let i = 0; i < 12; i++) void c.send({ token: `t${i}` })
    const before = c.getRequests()
    expect(before).toHaveLength(12)
    expect(c.getRequests(), 'same array while unchanged').toBe(before)
    run(() => c.getRequests().every((r) => r.status === 'acknowledged'))
    const after = c.getRequests()
    expect(after.map((r) => (r.msg as { token: string }).token)).toEqual(['t7', 't8', 't9', 't10', 't11'])
    expect(after.every((r) => r.status === 'acknowledged')).toBe(true)
    expect(replies).toHaveLength(12)
  })
})
