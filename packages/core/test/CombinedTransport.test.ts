import { asPeerId, ConfigError, connect, initServer, type PeerId, type TransportEvents } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork, VirtualClock } from '@sship/core/testing'
import { runTransportTests } from '@sship/core/transport-suite'
import { describe, expect, it } from 'vitest'
import { CombinedTransport, combineTransports } from '../src/transport/CombinedTransport.js'

const ids = [asPeerId('a'), asPeerId('b'), asPeerId('c')] as const

// The core's acceptance suite, over peers that reach each other through two networks at once:
// a and b are on both, c only on the first (as a browser reaches hosts one way and browsers another).
runTransportTests('CombinedTransport over two memory networks', () => {
  const first = new MemoryNetwork({ seed: 1 })
  const second = new MemoryNetwork({ seed: 2 })
  const make = (id: PeerId): CombinedTransport =>
    new CombinedTransport(id, id === 'c' ? [first.transport(id)] : [second.transport(id), first.transport(id)])
  return {
    peerIds: ids,
    transports: [make(ids[0]), make(ids[1]), make(ids[2])],
    settle: async () => {
      first.flush()
      second.flush()
    },
    teardown: async () => {}
  }
})

function recorder(): TransportEvents & { log: string[] } {
  const log: string[] = []
  return { log, peerJoined: (p) => log.push(`+${p}`), peerLeft: (p) => log.push(`-${p}`), frame: (f, d) => log.push(`${f}:${d.length}`) }
}

describe('CombinedTransport', () => {
  it('a peer reachable two ways joins once and leaves only when the last way goes', () => {
    const first = new MemoryNetwork({ seed: 3 })
    const second = new MemoryNetwork({ seed: 4 })
    const a = new CombinedTransport(ids[0], [first.transport(ids[0]), second.transport(ids[0])])
    const b1 = first.transport(ids[1])
    const b2 = second.transport(ids[1])
    const events = recorder()
    a.connect(events)
    b1.connect(recorder())
    b2.connect(recorder())
    first.flush()
    second.flush()
    expect(events.log).toEqual(['+b'])
    b1.close()
    first.flush()
    expect(events.log).toEqual(['+b'])
    expect([...a.peers()]).toEqual(['b'])
    a.send(ids[1], new Uint8Array(3))
    second.flush()
    b2.close()
    second.flush()
    expect(events.log).toEqual(['+b', '-b'])
  })

  it('refuses parts of another peer', () => {
    const n = new MemoryNetwork({ seed: 5 })
    expect(() => new CombinedTransport(ids[0], [n.transport(ids[1])])).toThrow(/every transport/)
  })
})

describe('PeerOptions.transport as a list', () => {
  it('a peer on two networks replicates with a peer on one of them, and a list of one is that transport', () => {
    const clock = new VirtualClock()
    const first = new MemoryNetwork({ seed: 6, clock })
    const second = new MemoryNetwork({ seed: 7, clock })
    const server = initServer('combined', { transport: [first.transport(ids[0]), second.transport(ids[0])], clock, random: seededRandom(1) })
    const onlySecond = second.transport(ids[1])
    const client = connect('combined', { transport: [onlySecond], clock, random: seededRandom(2) })
    expect(client.peer.transport).toBe(onlySecond)
    client.data.set('hello', 'world')
    for (let i = 0; i < 20; i++) {
      clock.advance(50)
      first.flush()
      second.flush()
    }
    expect(server.peer.app.data.toJSON()).toEqual(client.data.toJSON())
    expect(client.data.get('hello')).toBe('world')
    expect(server.peer.transport.peers().has(ids[1])).toBe(true)
    client.close()
    server.stop()
  })

  it('refuses an empty list with a ConfigError', () => {
    expect(() => combineTransports([])).toThrow(ConfigError)
  })
})
