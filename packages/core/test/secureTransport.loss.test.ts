import { describe, expect, it } from 'vitest'
import { asPeerId, type PeerId, type Transport, type TransportEvents } from '@sship/core'
import { SecureTransport, WebCryptoIdentity } from '@sship/core/security'
import { MemoryNetwork } from '@sship/core/testing'
import { EPHEMERAL_KEY_BYTES, encodeHello, NONCE_BYTES } from '../src/security/secureFrames.js'
import { Log, secureNode, TEST_ITERATIONS, type SecureNode } from './secureSupport.js'

/**
 * SecureTransport's handshake under loss and reconnects, on the seeded in-memory network with
 * virtual time: lost Hellos and proofs are retransmitted, a peer that lost our proof gets it
 * again, a one-sided reconnect re-keys the link, and a silent peer is given up on.
 */
const SECRET = 'room secret for the loss tests 3c9e'
const HELLO = 1
const PROOF = 2
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Advances virtual time by `ms` in 10 ms steps, letting WebCrypto finish after each. */
async function run(network: MemoryNetwork, nodes: readonly SecureNode[], ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    network.clock.advance(10)
    for (let i = 0; i < 3; i++) {
      await Promise.all(nodes.map((n) => n.secure.idle()))
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
}

const node = (network: MemoryNetwork, id: string, secret = SECRET): SecureNode =>
  secureNode(network, id, secret, { clock: network.clock, handshakeRetryMs: 200, handshakeRetries: 16 })

const codes = (n: SecureNode): string[] => n.errors.map((e) => e.error.code)

describe('SecureTransport handshake under loss', () => {
  const seeds = Number(process.env.SSHIP_SEEDS ?? 12)
  it(`links every pair of four members at 40 % frame loss (${seeds} seeds)`, async () => {
    for (let seed = 1; seed <= seeds; seed++) {
      const network = new MemoryNetwork({ seed, dropRate: 0.4 })
      const nodes = ['a', 'b', 'c', 'd'].map((id) => node(network, id))
      const logs = nodes.map(() => new Log())
      nodes.forEach((n, i) => n.secure.connect(logs[i] as Log))
      await run(network, nodes, 20_000)
      const replay = `replay: SSHIP_SEEDS=${seed} npx vitest run packages/core/test/secureTransport.loss.test.ts (seed ${seed})`
      for (const n of nodes) {
        expect([...n.secure.peers()].sort(), `${n.id}'s peers; ${replay}`).toEqual(nodes.filter((m) => m !== n).map((m) => m.id).sort())
        // Stale and repeated proofs are recognised: nothing counts as a wrong secret.
        expect(codes(n).filter((c) => c !== 'malformed'), `${n.id}'s errors; ${replay}`).toEqual([])
      }
      expect(network.handlerErrors()).toEqual([])
    }
  })

  it('links four members with peer identities at 40 % frame loss (Identity frames are retransmitted too)', async () => {
    const seeds = Number(process.env.SSHIP_SEEDS ?? 4)
    const identities = await Promise.all(['a', 'b', 'c', 'd'].map((label) => WebCryptoIdentity.generate(label)))
    for (let seed = 1; seed <= seeds; seed++) {
      const network = new MemoryNetwork({ seed, dropRate: 0.4 })
      // Three frames must cross per attempt here (Hello, proof, Identity), each lost 40 % of the
      // time: 16 retransmissions instead of 8 keep a link's odds of giving up negligible.
      const nodes = identities.map((identity) => secureNode(network, identity.id, SECRET, { clock: network.clock, handshakeRetryMs: 200, handshakeRetries: 16, identity }))
      nodes.forEach((n) => n.secure.connect(new Log()))
      await run(network, nodes, 20_000)
      const replay = `replay: SSHIP_SEEDS=${seed} npx vitest run packages/core/test/secureTransport.loss.test.ts (seed ${seed})`
      for (const n of nodes) {
        expect([...n.secure.peers()].sort(), `${n.id}'s peers; ${replay}`).toEqual(nodes.filter((m) => m !== n).map((m) => m.id).sort())
        expect(codes(n).filter((c) => c !== 'malformed'), `${n.id}'s errors; ${replay}`).toEqual([])
      }
    }
  })

  it('retransmits a lost proof: the side that is already up answers the repeated Hello', async () => {
    const network = new MemoryNetwork({ seed: 41 })
    const a = node(network, 'a')
    const b = node(network, 'b')
    let withheld = 0
    // a's first proof never arrives; b's does, so a is up while b still waits.
    a.tap.rewrite = (_to, data) => (data[1] === PROOF && withheld++ === 0 ? undefined : data)
    const la = new Log()
    const lb = new Log()
    a.secure.connect(la)
    b.secure.connect(lb)
    await run(network, [a, b], 100)
    expect(la.joined).toEqual([b.id])
    expect(lb.joined, 'b cannot be up before the retransmission').toEqual([])
    await run(network, [a, b], 1000)
    expect(withheld).toBeGreaterThan(1)
    expect(lb.joined).toEqual([a.id])
    a.secure.send(b.id, text('after the retry'))
    await run(network, [a, b], 100)
    expect(lb.textFrom(a.id)).toEqual(['after the retry'])
    expect([...a.errors, ...b.errors]).toEqual([])
  })

  it('re-keys when one side saw its inner link reconnect and the other did not', async () => {
    const network = new MemoryNetwork({ seed: 42 })
    const bouncy = new BouncyTransport(network.transport(asPeerId('a')))
    const aErrors: Error[] = []
    const aSecure = new SecureTransport(bouncy, {
      secret: SECRET, appName: 'test-app', iterations: TEST_ITERATIONS, clock: network.clock, handshakeRetryMs: 200, onError: (e) => aErrors.push(e)
    })
    const b = node(network, 'b')
    const la = new Log()
    const lb = new Log()
    aSecure.connect(la)
    b.secure.connect(lb)
    const nodes = [{ secure: aSecure } as SecureNode, b]
    await run(network, nodes, 200)
    expect(lb.joined).toEqual([bouncy.localPeer])
    // a's inner link to b drops and comes back; b's inner transport reports nothing.
    bouncy.bounce(b.id)
    await run(network, nodes, 1000)
    expect(la.left).toEqual([b.id])
    expect(la.joined).toEqual([b.id, b.id])
    expect(lb.left, 'b reports the re-keyed link as a new incarnation').toEqual([bouncy.localPeer])
    expect(lb.joined).toEqual([bouncy.localPeer, bouncy.localPeer])
    aSecure.send(b.id, text('a, re-keyed'))
    b.secure.send(bouncy.localPeer, text('b, re-keyed'))
    await run(network, nodes, 100)
    expect(lb.textFrom(bouncy.localPeer)).toEqual(['a, re-keyed'])
    expect(la.textFrom(b.id)).toEqual(['b, re-keyed'])
    expect([...aErrors, ...b.errors]).toEqual([])
  })

  it('keeps the session when a forged Hello asks for a re-key that cannot complete', async () => {
    const network = new MemoryNetwork({ seed: 43 })
    const a = node(network, 'a')
    const b = node(network, 'b')
    const la = new Log()
    const lb = new Log()
    a.secure.connect(la)
    b.secure.connect(lb)
    await run(network, [a, b], 200)
    // From now on a's handshake frames are lost, so the re-key b starts can never complete.
    a.tap.rewrite = (_to, data) => (data[1] === HELLO || data[1] === PROOF ? undefined : data)
    const forged = encodeHello(new Uint8Array(NONCE_BYTES).fill(7), undefined, new Uint8Array(EPHEMERAL_KEY_BYTES).fill(4))
    b.tap.inject(a.id, forged)
    await run(network, [a, b], 500)
    a.secure.send(b.id, text('a: still the old session'))
    b.secure.send(a.id, text('b: still the old session'))
    await run(network, [a, b], 100)
    expect(lb.textFrom(a.id)).toEqual(['a: still the old session'])
    expect(la.textFrom(b.id)).toEqual(['b: still the old session'])
    // After the retries each side gives up on the re-key only; no wrong-secret report.
    await run(network, [a, b], 30_000)
    expect(codes(b)).toEqual(['handshake-timeout'])
    expect(codes(a)).toEqual(['handshake-timeout'])
    expect([lb.left, la.left]).toEqual([[], []])
    expect([...b.secure.peers()]).toEqual([a.id])
    a.secure.send(b.id, text('a: after the timeout'))
    await run(network, [a, b], 100)
    expect(lb.textFrom(a.id)).toEqual(['a: still the old session', 'a: after the timeout'])
  })

  it('gives up on a silent peer with handshake-timeout and keeps serving the others', async () => {
    const network = new MemoryNetwork({ seed: 44 })
    const a = node(network, 'a')
    const b = node(network, 'b')
    const c = node(network, 'c')
    c.tap.rewrite = () => undefined
    for (const n of [a, b, c]) n.secure.connect(new Log())
    await run(network, [a, b, c], 30_000)
    expect(a.errors.map((e) => [e.error.code, e.peer])).toEqual([['handshake-timeout', c.id]])
    expect([...a.secure.peers()]).toEqual([b.id])
    expect(network.clock.pendingTimers(), 'no retransmission timer left behind').toBeLessThan(5)
  })
})

describe('SecureTransport and a peer without a secret', () => {
  it('refuses it once as auth-failed and ignores the rest of its frames', async () => {
    const network = new MemoryNetwork({ seed: 45 })
    const a = node(network, 'a')
    const la = new Log()
    a.secure.connect(la)
    const plain = network.transport(asPeerId('plain'))
    const heard: Uint8Array[] = []
    plain.connect({ peerJoined: () => undefined, peerLeft: () => undefined, frame: (_from, data) => heard.push(data) })
    await run(network, [a], 50)
    for (let i = 0; i < 20; i++) plain.send(a.id, text(`plain frame ${i}`))
    await run(network, [a], 30_000)
    expect(a.errors.map((e) => [e.error.code, e.peer])).toEqual([['auth-failed', asPeerId('plain')]])
    expect(a.errors[0]?.error.message).toMatch(/does not speak the secure handshake.*no room secret/)
    expect(la.joined).toEqual([])
    // The plain peer only ever saw a's first Hello: the refused link is not retransmitted to.
    expect(heard.length).toBe(1)
  })
})

/** A transport that can tell its owner a peer left and joined again, without the peer noticing. */
class BouncyTransport implements Transport {
  private events: TransportEvents | undefined
  constructor(private readonly inner: Transport) {}
  get localPeer(): PeerId {
    return this.inner.localPeer
  }
  connect(events: TransportEvents): void {
    this.events = events
    this.inner.connect(events)
  }
  send(to: PeerId, data: Uint8Array): void {
    this.inner.send(to, data)
  }
  peers(): ReadonlySet<PeerId> {
    return this.inner.peers()
  }
  close(): void {
    this.inner.close()
  }
  bounce(peer: PeerId): void {
    this.events?.peerLeft(peer)
    this.events?.peerJoined(peer)
  }
}
