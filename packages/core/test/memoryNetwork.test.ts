import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/errors/errors.js'
import { asPeerId, type PeerId } from '../src/ids/ids.js'
import { seededRandom } from '../src/random/Random.js'
import {
  MemoryNetwork,
  VirtualClock,
  fnv1a32,
  type MemoryNetworkOptions,
  type MemoryTransport,
  type NetworkStats
} from '../src/testing/index.js'
import type { TransportEvents } from '../src/transport/Transport.js'

const [A, B, C] = [asPeerId('a'), asPeerId('b'), asPeerId('c')]

type Logged = { t: number; type: 'peerJoined' | 'peerLeft'; peer: PeerId } | { t: number; type: 'frame'; peer: PeerId; data: Uint8Array }

/** Records what a transport reports, stamped with virtual time. */
class Log implements TransportEvents {
  readonly entries: Logged[] = []
  constructor(private readonly clock: VirtualClock) {}
  peerJoined(peer: PeerId): void {
    this.entries.push({ t: this.clock.now(), type: 'peerJoined', peer })
  }
  peerLeft(peer: PeerId): void {
    this.entries.push({ t: this.clock.now(), type: 'peerLeft', peer })
  }
  frame(peer: PeerId, data: Uint8Array): void {
    this.entries.push({ t: this.clock.now(), type: 'frame', peer, data })
  }
  of(type: Logged['type']): Logged[] {
    return this.entries.filter((e) => e.type === type)
  }
  frames(): Uint8Array[] {
    return this.entries.flatMap((e) => (e.type === 'frame' ? [e.data] : []))
  }
}

interface Peer {
  transport: MemoryTransport
  log: Log
}

/** A network with peers a, b, c connected and their joins delivered. */
function connected(options: MemoryNetworkOptions): { network: MemoryNetwork; a: Peer; b: Peer; c: Peer } {
  const network = new MemoryNetwork(options)
  const [a, b, c] = [A, B, C].map((id) => {
    const peer = { transport: network.transport(id), log: new Log(network.clock) }
    peer.transport.connect(peer.log)
    return peer
  }) as [Peer, Peer, Peer]
  network.flush()
  return { network, a, b, c }
}

const u32 = (n: number): Uint8Array => {
  const data = new Uint8Array(4)
  new DataView(data.buffer).setUint32(0, n)
  return data
}
const readU32 = (data: Uint8Array): number => new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)

/** Conservation law of the counters. */
function expectBalanced(stats: NetworkStats, inFlight: number): void {
  const { messages, duplicated, delivered, dropped } = stats.total
  expect(messages + duplicated).toBe(delivered + dropped + inFlight)
}

/** A fixed script of 300 sends of varied sizes among three peers, with time passing. */
function runScript(options: MemoryNetworkOptions): MemoryNetwork {
  const { network, a, b, c } = connected({ ...options, trace: true })
  const peers = [a, b, c]
  const script = seededRandom(99) // the script is fixed; only the network's seed varies
  for (let i = 0; i < 300; i++) {
    const from = peers[i % 3] as Peer
    const to = peers[(i + 1 + (i % 2)) % 3] as Peer
    const data = new Uint8Array(1 + Math.floor(script.next() * 64)).fill(i & 0xff)
    from.transport.send(to.transport.localPeer, data)
    if (i % 7 === 0) network.clock.advance(3)
  }
  network.flush()
  return network
}

describe('MemoryNetwork determinism', () => {
  it('replays the same trace, entry for entry, from the same seed', () => {
    const options = { seed: 42, latencyMs: { min: 1, max: 30 }, dropRate: 0.1, duplicateRate: 0.1, reorderRate: 0.2 }
    const first = runScript(options).trace()
    const second = runScript(options).trace()
    expect(first.length).toBeGreaterThan(250)
    expect(second).toEqual(first)
  })

  it('gives a different trace for a different seed', () => {
    const options = { latencyMs: { min: 1, max: 30 } }
    const first = runScript({ ...options, seed: 1 }).trace()
    const second = runScript({ ...options, seed: 2 }).trace()
    expect(first).toHaveLength(300)
    expect(second).toHaveLength(300)
    expect(second).not.toEqual(first)
  })

  it('hashes delivered bytes with FNV-1a and records nothing unless trace is on', () => {
    expect(fnv1a32(new Uint8Array(0))).toBe(0x811c9dc5)
    expect(fnv1a32(new TextEncoder().encode('a'))).toBe(0xe40c292c)
    const { network, a } = connected({ seed: 7 })
    a.transport.send(B, u32(1))
    expect(network.flush()).toBe(1)
    expect(network.trace()).toEqual([])
  })
})

describe('MemoryNetwork faults', () => {
  const blast = (options: MemoryNetworkOptions, count = 10_000): { network: MemoryNetwork; b: Peer } => {
    const { network, a, b } = connected(options)
    for (let i = 0; i < count; i++) a.transport.send(B, u32(i))
    network.flush()
    return { network, b }
  }

  it('drops about dropRate of the frames', () => {
    const { network, b } = blast({ seed: 11, dropRate: 0.3 })
    const { total } = network.stats()
    expect(total.dropped).toBeGreaterThanOrEqual(2500)
    expect(total.dropped).toBeLessThanOrEqual(3500)
    expect(b.log.frames()).toHaveLength(10_000 - total.dropped)
    expect(network.stats().links['a->b']?.dropped).toBe(total.dropped)
    expectBalanced(network.stats(), network.inFlight())
  })

  it('duplicates about duplicateRate of the frames, as separate copies', () => {
    const { network, b } = blast({ seed: 12, duplicateRate: 0.2 })
    const { total } = network.stats()
    expect(total.duplicated).toBeGreaterThanOrEqual(1600)
    expect(total.duplicated).toBeLessThanOrEqual(2400)
    const frames = b.log.frames()
    expect(frames).toHaveLength(10_000 + total.duplicated)
    expect(new Set(frames.map(readU32)).size).toBe(10_000)
    expect(new Set(frames.map((f) => f.buffer)).size).toBe(frames.length)
    expectBalanced(network.stats(), network.inFlight())
  })

  it('keeps each link FIFO under variable latency when nothing is reordered', () => {
    const { network, a, b, c } = connected({ seed: 15, latencyMs: { min: 0, max: 50 } })
    for (let i = 0; i < 2000; i++) {
      a.transport.send(B, u32(i))
      c.transport.send(B, u32(i))
      if (i % 100 === 0) network.clock.advance(7)
    }
    network.flush()
    const fromA = b.log.entries.flatMap((e) => (e.type === 'frame' && e.peer === A ? [readU32(e.data)] : []))
    expect(fromA).toEqual(Array.from({ length: 2000 }, (_, i) => i))
  })

  it('keeps links FIFO without reordering, and delays about reorderRate of the frames out of order', () => {
    const sendSpaced = (reorderRate: number): Logged[] => {
      const { network, a, b } = connected({ seed: 13, latencyMs: { min: 1, max: 1 }, reorderRate })
      for (let i = 0; i < 10_000; i++) {
        a.transport.send(B, u32(i))
        network.clock.advance(1)
      }
      network.flush()
      return b.log.of('frame')
    }
    const fifo = sendSpaced(0).map((e) => (e.type === 'frame' ? readU32(e.data) : -1))
    expect(fifo).toEqual(Array.from({ length: 10_000 }, (_, i) => i))

    // Sent at t0 + i with a fixed 1 ms latency: a frame arriving later than t0 + i + 1 was reordered.
    const arrivals = sendSpaced(0.3)
    const t0 = (arrivals[0]?.t ?? 0) - 1
    const late = arrivals.filter((e) => e.type === 'frame' && e.t > t0 + readU32(e.data) + 1).length
    expect(arrivals).toHaveLength(10_000)
    expect(late).toBeGreaterThanOrEqual(2500)
    expect(late).toBeLessThanOrEqual(3500)
  })

  it('changes faults at runtime and validates them', () => {
    const { network, a } = connected({ seed: 14 })
    network.setFaults({ dropRate: 1 })
    a.transport.send(B, u32(1))
    network.setFaults({ dropRate: 0 })
    a.transport.send(B, u32(2))
    expect(network.flush()).toBe(1)
    expect(network.faults).toMatchObject({ dropRate: 0, latencyMs: { min: 1, max: 5 } })
    expect(() => network.setFaults({ dropRate: 1.5 })).toThrow(ConfigError)
    expect(() => network.setFaults({ latencyMs: { min: 5, max: 1 } })).toThrow(ConfigError)
    expect(() => new MemoryNetwork({ seed: 0.5 })).toThrow(ConfigError)
    expect(new MemoryNetwork({ seed: 0 }).stats().total.messages).toBe(0)
  })
})

describe('MemoryNetwork topology', () => {
  it('blocks frames across a partition, silently, and heal restores them', () => {
    const { network, a, b, c } = connected({ seed: 21 })
    const before = [a, b, c].map((p) => p.log.entries.length)
    network.partition([[A, B]])
    a.transport.send(B, u32(1))
    a.transport.send(C, u32(2))
    c.transport.send(A, u32(3))
    network.flush()
    expect(b.log.frames().map(readU32)).toEqual([1])
    expect(c.log.frames()).toEqual([])
    expect(a.log.frames()).toEqual([])
    expect(network.stats().links['a->c']?.dropped).toBe(1)
    expect([...a.transport.peers()].sort()).toEqual([B, C])

    network.partition([[A]]) // b and c, not named, form one group together
    b.transport.send(C, u32(4))
    b.transport.send(A, u32(5))
    network.flush()
    expect(c.log.frames().map(readU32)).toEqual([4])

    a.transport.send(C, u32(6)) // a is still cut off: dropped at send time, even if healed before delivery
    network.heal()
    network.flush()
    a.transport.send(C, u32(7)) // in flight when the next partition comes up: dropped at delivery
    network.partition([[A], [C]])
    network.flush()
    network.heal()
    a.transport.send(C, u32(8))
    network.flush()
    expect(c.log.frames().map(readU32)).toEqual([4, 8])
    expect([a, b, c].map((p) => p.log.of('peerJoined').length + p.log.of('peerLeft').length)).toEqual([2, 2, 2])
    expect(before).toEqual([2, 2, 2])
  })

  it('crash drops frames in flight both ways and tells nobody', () => {
    const { network, a, b, c } = connected({ seed: 22 })
    a.transport.send(B, u32(1))
    b.transport.send(A, u32(2))
    c.transport.send(B, u32(3))
    expect(network.inFlight()).toBe(3)
    network.crash(A)
    expect(network.inFlight()).toBe(1)
    const messages = network.stats().total.messages
    a.transport.send(B, u32(4))
    expect(network.stats().total.messages).toBe(messages)
    network.flush()
    expect(b.log.frames().map(readU32)).toEqual([3])
    expect(a.log.frames()).toEqual([])
    expect([...b.log.of('peerLeft'), ...c.log.of('peerLeft')]).toEqual([])
    expect(b.transport.peers().has(A)).toBe(false)
    expect(a.transport.state).toBe('crashed')
    expect(a.transport.peers().size).toBe(0)
    expectBalanced(network.stats(), network.inFlight())
  })

  it('restart brings a crashed peer back and the others see peerJoined again', () => {
    const { network, b, c } = connected({ seed: 23 })
    network.crash(A)
    const a2 = network.restart(A)
    const log = new Log(network.clock)
    a2.connect(log)
    network.flush()
    expect(b.log.of('peerJoined').map((e) => e.peer)).toEqual([A, C, A])
    expect(c.log.of('peerJoined').filter((e) => e.peer === A)).toHaveLength(2)
    expect(log.of('peerJoined').map((e) => e.peer).sort()).toEqual([B, C])
    a2.send(B, u32(9))
    b.transport.send(A, u32(10))
    network.flush()
    expect(b.log.frames().map(readU32)).toEqual([9])
    expect(log.frames().map(readU32)).toEqual([10])

    expect(() => network.transport(A)).toThrow(/live transport/)
    const a3 = network.restart(A) // restarting a live peer crashes it first
    expect(a2.state).toBe('crashed')
    expect(a3.state).toBe('idle')
    expect(() => network.crash(asPeerId('nobody'))).toThrow(/unknown peer/)
  })

  it('close says goodbye, drops frames in flight and ignores later sends', () => {
    const { network, a, b, c } = connected({ seed: 24 })
    b.transport.send(A, u32(1))
    a.transport.send(C, u32(2))
    a.transport.close()
    a.transport.close()
    a.transport.send(B, u32(3))
    expect(network.inFlight()).toBe(0)
    expect(b.log.of('peerLeft')).toEqual([]) // delivered by the clock, not inside close()
    network.flush()
    expect(b.log.of('peerLeft').map((e) => e.peer)).toEqual([A])
    expect(c.log.of('peerLeft').map((e) => e.peer)).toEqual([A])
    expect([...a.log.frames(), ...b.log.frames(), ...c.log.frames()]).toEqual([])
    expect(() => a.transport.connect(new Log(network.clock))).toThrow(/closed/)
  })

  it('delivers membership events by the clock, never inside connect()', () => {
    const network = new MemoryNetwork({ seed: 25 })
    const logA = new Log(network.clock)
    const logB = new Log(network.clock)
    const a = network.transport(A)
    const b = network.transport(B)
    a.connect(logA)
    b.connect(logB)
    expect(logA.entries).toEqual([])
    b.send(A, u32(1)) // a has not joined from b's view yet: dropped
    expect(network.flush()).toBe(0)
    expect(logA.of('peerJoined').map((e) => e.peer)).toEqual([B])
    expect(logB.of('peerJoined').map((e) => e.peer)).toEqual([A])
    expect(() => a.connect(logA)).toThrow(/twice/)

    // A peer that leaves before its join is delivered is never reported, neither joined nor left.
    const logC = new Log(network.clock)
    const c = network.transport(C)
    c.connect(logC)
    c.close()
    network.flush()
    expect([...logA.entries, ...logB.entries].filter((e) => e.peer === C)).toEqual([])
    expect(logC.entries).toEqual([])
  })
})

describe('MemoryNetwork delivery', () => {
  it('flush delivers everything, running other timers that fall due in time order', () => {
    const { network, a, b } = connected({ seed: 31, latencyMs: { min: 10, max: 50 } })
    const fired: string[] = []
    network.clock.setTimeout(() => fired.push(`early@${network.clock.now()}`), 20)
    network.clock.setTimeout(() => fired.push('late'), 10_000)
    const start = network.clock.now()
    for (let i = 0; i < 100; i++) a.transport.send(B, u32(i))
    expect(network.inFlight()).toBe(100)
    expect(network.flush()).toBe(100)
    expect(network.inFlight()).toBe(0)
    expect(b.log.frames()).toHaveLength(100)
    expect(fired).toEqual([`early@${start + 20}`])
    expect(network.clock.now()).toBeLessThanOrEqual(start + 50)
    expect(network.clock.pendingTimers()).toBe(1)
  })

  it('flush throws after maxSteps when handlers keep sending', () => {
    const network = new MemoryNetwork({ seed: 32 })
    const a = network.transport(A)
    const b = network.transport(B)
    const echo = (self: MemoryTransport): TransportEvents => ({
      peerJoined: () => {},
      peerLeft: () => {},
      frame: (from, data) => self.send(from, data)
    })
    a.connect(echo(a))
    b.connect(echo(b))
    network.flush()
    a.send(B, u32(0))
    expect(() => network.flush(500)).toThrow(/500/)
  })

  it('copies bytes at send time and records handler errors without stopping', () => {
    const network = new MemoryNetwork({ seed: 33 })
    const a = network.transport(A)
    const b = network.transport(B)
    const got: number[] = []
    a.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
    b.connect({
      peerJoined: () => {},
      peerLeft: () => {},
      frame: (_from, data) => {
        got.push(data[0] ?? -1)
        if (data[0] === 1) throw new Error('boom')
      }
    })
    network.flush()
    const buffer = new Uint8Array([1])
    a.send(B, buffer)
    buffer[0] = 2
    a.send(B, buffer)
    network.flush()
    expect(got).toEqual([1, 2])
    expect(network.handlerErrors()).toEqual([new Error('boom')])
  })

  it('counts per link and resets', () => {
    const { network, a, b } = connected({ seed: 34 })
    a.transport.send(B, new Uint8Array(10))
    a.transport.send(B, new Uint8Array(5))
    b.transport.send(A, new Uint8Array(1))
    a.transport.send(asPeerId('ghost'), new Uint8Array(3))
    network.flush()
    const stats = network.stats()
    expect(stats.links['a->b']).toEqual({ messages: 2, bytes: 15, delivered: 2, dropped: 0, duplicated: 0 })
    expect(stats.links['b->a']).toEqual({ messages: 1, bytes: 1, delivered: 1, dropped: 0, duplicated: 0 })
    expect(stats.links['a->ghost']).toEqual({ messages: 1, bytes: 3, delivered: 0, dropped: 1, duplicated: 0 })
    expect(stats.total).toEqual({ messages: 4, bytes: 19, delivered: 3, dropped: 1, duplicated: 0 })
    network.resetStats()
    expect(network.stats()).toEqual({ total: { messages: 0, bytes: 0, delivered: 0, dropped: 0, duplicated: 0 }, links: {} })
  })
})

describe('VirtualClock', () => {
  it('runs timers in time order, ties in insertion order, and lands exactly on the target', () => {
    const clock = new VirtualClock(100)
    const fired: string[] = []
    const at = (name: string, ms: number): void => {
      clock.setTimeout(() => fired.push(`${name}@${clock.now()}`), ms)
    }
    at('a', 10)
    at('b', 5)
    at('c', 10)
    at('d', 5)
    at('e', 0)
    at('f', -3)
    at('g', 11)
    expect(clock.nextTimerAt()).toBe(100)
    clock.advance(10)
    expect(fired).toEqual(['e@100', 'f@100', 'b@105', 'd@105', 'a@110', 'c@110'])
    expect(clock.now()).toBe(110)
    expect(clock.pendingTimers()).toBe(1)
    expect(clock.nextTimerAt()).toBe(111)
    clock.advance(0.5)
    expect(clock.now()).toBe(110.5)
    expect(fired).toHaveLength(6)
  })

  it('cancels timers; cancelling twice, a fired or a foreign handle does nothing', () => {
    const clock = new VirtualClock()
    const fired: number[] = []
    const one = clock.setTimeout(() => fired.push(1), 1)
    const two = clock.setTimeout(() => fired.push(2), 2)
    clock.clearTimeout(two)
    clock.clearTimeout(two)
    clock.clearTimeout({})
    expect(clock.pendingTimers()).toBe(1)
    clock.advance(5)
    clock.clearTimeout(one)
    expect(fired).toEqual([1])
    expect(clock.pendingTimers()).toBe(0)
    expect(clock.nextTimerAt()).toBeUndefined()
    expect(clock.runNext()).toBe(false)
    expect(clock.now()).toBe(5)
  })

  it('runs timers scheduled by callbacks if they fall due within the advance', () => {
    const clock = new VirtualClock()
    const fired: string[] = []
    clock.setTimeout(() => {
      fired.push(`outer@${clock.now()}`)
      clock.setTimeout(() => fired.push(`now@${clock.now()}`), 0)
      clock.setTimeout(() => fired.push(`inner@${clock.now()}`), 3)
      clock.setTimeout(() => fired.push(`beyond@${clock.now()}`), 10)
    }, 2)
    clock.advance(5)
    expect(fired).toEqual(['outer@2', 'now@2', 'inner@5'])
    expect(clock.runNext()).toBe(true)
    expect(fired).toEqual(['outer@2', 'now@2', 'inner@5', 'beyond@12'])
    expect(clock.now()).toBe(12)
  })

  it('stays consistent when a callback throws', () => {
    const clock = new VirtualClock()
    const fired: number[] = []
    clock.setTimeout(() => {
      throw new Error('boom')
    }, 1)
    clock.setTimeout(() => fired.push(clock.now()), 2)
    expect(() => clock.advance(10)).toThrow('boom')
    expect(clock.now()).toBe(1)
    expect(clock.pendingTimers()).toBe(1)
    clock.advance(9)
    expect(fired).toEqual([2])
    expect(clock.now()).toBe(10)
  })

  it('handles 100k timers, half cancelled, in order', () => {
    const clock = new VirtualClock()
    const random = seededRandom(5)
    const due: number[] = []
    const handles = []
    let last = -1
    let outOfOrder = 0
    for (let i = 0; i < 100_000; i++) {
      const ms = Math.floor(random.next() * 1_000_000)
      handles.push(clock.setTimeout(() => {
        if (clock.now() < last) outOfOrder++
        last = clock.now()
        due.push(ms)
      }, ms))
    }
    for (let i = 0; i < handles.length; i += 2) clock.clearTimeout(handles[i] as (typeof handles)[number])
    expect(clock.pendingTimers()).toBe(50_000)
    clock.advance(1_000_000)
    expect(due).toHaveLength(50_000)
    expect(outOfOrder).toBe(0)
    expect(clock.pendingTimers()).toBe(0)
  })
})

describe('seededRandom', () => {
  it('is not stuck for seed 0 and differs by seed', () => {
    const zero = seededRandom(0)
    const draws = Array.from({ length: 20 }, () => zero.next())
    expect(new Set(draws).size).toBe(20)
    expect(seededRandom(1).next()).not.toBe(seededRandom(2).next())
    expect(seededRandom(7).next()).toBe(seededRandom(7).next())
  })
})
