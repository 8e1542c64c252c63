/**
 * One-source join: a newcomer receives the document about once, not once per replica, and still
 * converges when its source dies mid-join.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { connect, initServer, seededRandom, type Server } from '@sship/core'
import { MemoryNetwork, tokenCounter } from '@sship/core/testing'

function cluster(seed: number, servers: number) {
  const network = new MemoryNetwork({ seed })
  const run = (done: () => boolean, maxMs = 20_000): boolean => {
    for (let t = 0; t < maxMs && !done(); t += 5) network.clock.advance(5)
    return done()
  }
  const list: Server[] = []
  for (let i = 0; i < servers; i++) {
    const s = initServer('join', { transport: network.transport(`s${i}` as never), clock: network.clock, random: seededRandom(seed * 10 + i) })
    s.onReceive(tokenCounter(s))
    list.push(s)
    if (i === 0) run(() => s.getSnapshot().isServer)
  }
  // About 40 KB of shared data, written at the first server and replicated everywhere.
  const data = list[0]!.peer.app.data
  for (let i = 0; i < 200; i++) data.set(`k${i}`, 'v'.repeat(200))
  run(() => list.every((s) => s.peer.app.data.size === 200))
  return { network, run, servers: list }
}

describe('one-source join', () => {
  it('a newcomer receives about one document from five replicas (seed 4)', () => {
    const { network, run, servers } = cluster(4, 5)
    const docBytes = Y.encodeStateAsUpdate(servers[0]!.peer.doc).byteLength
    const late = connect('join', { transport: network.transport('late' as never), clock: network.clock, random: seededRandom(99) })
    expect(run(() => late.data.size === 200)).toBe(true)
    run(() => false, 2000)
    const ratio = late.peer.stats.bytesIn / docBytes
    expect(ratio, `received ${late.peer.stats.bytesIn} B for a ${docBytes} B document`).toBeLessThan(1.5)
  })

  it('still converges when the source dies before it answers (seed 5)', () => {
    const { network, run, servers } = cluster(5, 3)
    const late = connect('join', { transport: network.transport('late' as never), clock: network.clock, random: seededRandom(98) })
    for (let i = 0; i < 100 && late.peer.sync.joinSource() === undefined; i++) network.clock.advance(1)
    const source = late.peer.sync.joinSource()
    expect(source).toBeDefined()
    expect(late.data.size, 'crashed before it answered').toBe(0)
    network.crash(source!)
    servers.find((s) => s.peer.self === source)!.peer.stop()
    expect(run(() => late.data.size === 200)).toBe(true)
  })
})
