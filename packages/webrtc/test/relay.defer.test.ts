import { asPeerId, type PeerId } from '@sship/core'
import { MemoryNetwork } from '@sship/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { RelayTransport } from '../src/index.js'

describe('RelayTransport in a browser', () => {
  const original = globalThis.queueMicrotask
  afterEach(() => {
    globalThis.queueMicrotask = original
  })

  it('calls the default queueMicrotask bare (a browser throws "Illegal invocation" when it is called as a method of another object)', async () => {
    // A browser's queueMicrotask, strict about its receiver as Window methods are.
    globalThis.queueMicrotask = function (this: unknown, fn: () => void): void {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation')
      original(fn)
    }
    const net = new MemoryNetwork({ seed: 1 })
    const a = new RelayTransport({ inner: net.transport(asPeerId('a')), clock: net.clock, incarnation: 1 })
    const b = new RelayTransport({ inner: net.transport(asPeerId('b')), clock: net.clock, incarnation: 1 })
    const got: PeerId[] = []
    const errors: string[] = []
    a.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
    b.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: (from) => got.push(from) })
    net.clock.advance(100)
    expect([...a.peers()]).toEqual(['b'])
    try {
      a.send(asPeerId('b'), new Uint8Array([1]))
    } catch (error) {
      errors.push(String(error))
    }
    await Promise.resolve()
    net.clock.advance(100)
    expect(errors).toEqual([])
    expect(got).toEqual(['a'])
    a.close()
    b.close()
  })
})
