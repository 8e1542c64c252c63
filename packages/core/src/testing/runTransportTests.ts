import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { asPeerId, type PeerId } from '../ids/ids.js'
import type { Transport, TransportEvents } from '../transport/Transport.js'

/** What {@link runTransportTests} needs from one transport implementation, fresh per test. */
export interface TransportTestContext {
  /** Three transports of three distinct peers, created and not connected yet. No faults. */
  readonly transports: readonly [Transport, Transport, Transport]
  /** The peer ids the transports were created with, in the same order. */
  readonly peerIds: readonly [PeerId, PeerId, PeerId]
  /**
   * Lets pending deliveries happen: for a memory network, `network.flush()`; for real sockets,
   * a wait. The suite calls it again (up to 5 times in all) while something it expects is missing.
   */
  settle(): Promise<void>
  /** Releases everything the context holds. Runs after each test, passed or failed. */
  teardown(): Promise<void>
}

type Recorded =
  | { readonly type: 'peerJoined' | 'peerLeft'; readonly peer: PeerId }
  | { readonly type: 'frame'; readonly peer: PeerId; readonly data: Uint8Array }

/** Records everything a transport reports, in order. */
class Recorder implements TransportEvents {
  readonly log: Recorded[] = []
  peerJoined(peer: PeerId): void {
    this.log.push({ type: 'peerJoined', peer })
  }
  peerLeft(peer: PeerId): void {
    this.log.push({ type: 'peerLeft', peer })
  }
  frame(from: PeerId, data: Uint8Array): void {
    this.log.push({ type: 'frame', peer: from, data })
  }
  /** Peers named by events of `type`, sorted so lists compare regardless of arrival order. */
  peersOf(type: 'peerJoined' | 'peerLeft'): PeerId[] {
    return this.log.flatMap((e) => (e.type === type ? [e.peer] : [])).sort()
  }
  /** Frames received from `from`, in arrival order. */
  framesFrom(from: PeerId): Uint8Array[] {
    return this.log.flatMap((e) => (e.type === 'frame' && e.peer === from ? [e.data] : []))
  }
}

const MAX_SETTLES = 5

/** A deterministic byte pattern of `length` bytes (not periodic at any small power of two). */
function pattern(length: number, salt: number): Uint8Array {
  const data = new Uint8Array(length)
  for (let i = 0; i < length; i++) data[i] = (Math.imul(i + salt, 2654435761) >>> 13) & 0xff
  return data
}

/** Index of the first byte where `a` and `b` differ, or -1 if they are equal. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

/**
 * The acceptance suite every {@link Transport} must pass (habit 3 of the style guide), after
 * automerge-repo's `runNetworkAdapterTests`. Call it at the top level of a test file; `setup`
 * runs before each test. It uses no timers of its own, only `settle`, so it runs unchanged on
 * the in-memory network and on real sockets.
 *
 * @example
 * ```ts
 * runTransportTests('memory', () => {
 *   const network = new MemoryNetwork({ seed: 1 })
 *   const peerIds = [asPeerId('a'), asPeerId('b'), asPeerId('c')] as const
 *   return {
 *     peerIds,
 *     transports: [network.transport(peerIds[0]), network.transport(peerIds[1]), network.transport(peerIds[2])],
 *     settle: async () => { network.flush() },
 *     teardown: async () => {}
 *   }
 * })
 * ```
 */
export function runTransportTests(
  name: string,
  setup: () => Promise<TransportTestContext> | TransportTestContext
): void {
  describe(`Transport acceptance: ${name}`, () => {
    let ctx: TransportTestContext | undefined
    let recorders: [Recorder, Recorder, Recorder] = [new Recorder(), new Recorder(), new Recorder()]
    const context = (): TransportTestContext => {
      if (ctx === undefined) throw new Error('runTransportTests: setup() did not produce a context')
      return ctx
    }

    /** Settles until `done()` holds, at most {@link MAX_SETTLES} times; the caller then asserts. */
    const settleUntil = async (done: () => boolean): Promise<void> => {
      for (let i = 0; i < MAX_SETTLES && !done(); i++) await context().settle()
    }

    /** Connects the first `count` transports and waits until each saw the others join. */
    const connect = async (count: 2 | 3): Promise<[Recorder, Recorder, Recorder]> => {
      context().transports.forEach((t, i) => {
        if (i < count) t.connect(recorders[i] as Recorder)
      })
      const connected = recorders.slice(0, count)
      await settleUntil(() => connected.every((r) => r.peersOf('peerJoined').length >= count - 1))
      return recorders
    }

    beforeEach(async () => {
      recorders = [new Recorder(), new Recorder(), new Recorder()]
      ctx = await setup()
    })
    afterEach(async () => {
      const current = ctx
      ctx = undefined
      await current?.teardown()
    })

    it('reports localPeer as the id it was given', () => {
      const { transports, peerIds } = context()
      transports.forEach((t, i) => expect(t.localPeer).toBe(peerIds[i]))
    })

    it('lets each of three peers see the other two join', async () => {
      const { transports, peerIds } = context()
      await connect(3)
      transports.forEach((transport, i) => {
        const recorder = recorders[i] as Recorder
        const others = peerIds.filter((_, j) => j !== i).sort()
        expect(recorder.peersOf('peerJoined'), `peer ${i} joined events`).toEqual(others)
        expect([...transport.peers()].sort(), `peer ${i} peers()`).toEqual(others)
        expect(recorder.peersOf('peerLeft')).toEqual([])
      })
    })

    it('delivers frames whole with the same bytes: small, empty and 1 MiB', async () => {
      const [a, b, c] = context().transports
      const [idA, idB] = context().peerIds
      const [ra, rb, rc] = await connect(3)
      const small = pattern(37, 1)
      const big = pattern(1 << 20, 2)
      a.send(b.localPeer, small)
      a.send(c.localPeer, new Uint8Array(0))
      b.send(a.localPeer, big)
      await settleUntil(() => rb.framesFrom(idA).length > 0 && rc.framesFrom(idA).length > 0 && ra.framesFrom(idB).length > 0)
      const gotSmall = rb.framesFrom(idA)
      const gotEmpty = rc.framesFrom(idA)
      const gotBig = ra.framesFrom(idB)
      expect(gotSmall).toHaveLength(1)
      expect(gotEmpty).toHaveLength(1)
      expect(gotBig).toHaveLength(1)
      expect(firstDifference(gotSmall[0] as Uint8Array, small), 'first differing byte of the small frame').toBe(-1)
      expect(gotEmpty[0]?.byteLength).toBe(0)
      expect((gotBig[0] as Uint8Array).byteLength).toBe(big.byteLength)
      expect(firstDifference(gotBig[0] as Uint8Array, big), 'first differing byte of the 1 MiB frame').toBe(-1)
    })

    it('drops frames to unknown or unconnected peers without throwing', async () => {
      const [a, , c] = context().transports
      const [, rb, rc] = await connect(2)
      expect(() => a.send(asPeerId('no-such-peer'), pattern(8, 3))).not.toThrow()
      expect(() => a.send(c.localPeer, pattern(8, 4))).not.toThrow()
      await context().settle()
      c.connect(rc)
      await settleUntil(() => rc.peersOf('peerJoined').length >= 2)
      await context().settle()
      expect(rc.log.filter((e) => e.type === 'frame'), 'frames the late peer got').toEqual([])
      expect(rb.log.filter((e) => e.type === 'frame'), 'frames a bystander got').toEqual([])
    })

    it('reports peerLeft to the others on close() and stops delivery to the closed peer', async () => {
      const [a, b, c] = context().transports
      const [ra, rb, rc] = await connect(3)
      const seen = ra.log.length
      a.close()
      await settleUntil(() => rb.peersOf('peerLeft').length === 1 && rc.peersOf('peerLeft').length === 1)
      expect(rb.peersOf('peerLeft')).toEqual([a.localPeer])
      expect(rc.peersOf('peerLeft')).toEqual([a.localPeer])
      expect(b.peers().has(a.localPeer)).toBe(false)
      expect([...c.peers()]).toEqual([b.localPeer])
      expect(() => b.send(a.localPeer, pattern(16, 5))).not.toThrow()
      await context().settle()
      expect(ra.log.length, 'events the closed peer got').toBe(seen)
    })

    it('accepts close() twice and reports the peer left once', async () => {
      const [a] = context().transports
      const [, rb, rc] = await connect(3)
      a.close()
      expect(() => a.close()).not.toThrow()
      await settleUntil(() => rb.peersOf('peerLeft').length === 1 && rc.peersOf('peerLeft').length === 1)
      await context().settle()
      expect(rb.peersOf('peerLeft')).toEqual([a.localPeer])
      expect(rc.peersOf('peerLeft')).toEqual([a.localPeer])
    })

    it('delivers no events after close(), even for frames already in flight', async () => {
      const [a, b, c] = context().transports
      const [ra, rb] = await connect(3)
      b.send(a.localPeer, pattern(64, 6))
      c.send(a.localPeer, pattern(64, 7))
      const seen = ra.log.length
      a.close()
      expect(() => a.send(b.localPeer, pattern(8, 8))).not.toThrow()
      c.close()
      await context().settle()
      await context().settle()
      expect(ra.log.slice(seen), 'events after close').toEqual([])
      expect(rb.framesFrom(a.localPeer), 'frames sent after close').toEqual([])
    })

    it('delivers all of 1000 small frames', async () => {
      const [a, b] = context().transports
      const [, rb] = await connect(2)
      const count = 1000
      for (let i = 0; i < count; i++) {
        const frame = new Uint8Array(4)
        new DataView(frame.buffer).setUint32(0, i)
        a.send(b.localPeer, frame)
      }
      await settleUntil(() => rb.framesFrom(a.localPeer).length >= count)
      const got = rb.framesFrom(a.localPeer)
      expect(got).toHaveLength(count)
      const indices = got.map((f) => new DataView(f.buffer, f.byteOffset, f.byteLength).getUint32(0)).sort((x, y) => x - y)
      expect(indices).toEqual(Array.from({ length: count }, (_, i) => i))
    })
  })
}
