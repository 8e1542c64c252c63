import { describe, expect, it } from 'vitest'
import { connect, initServer, type SendResult, type Transport } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork, type VirtualClock } from '@sship/core/testing'
import { containsBytes, secureNode, type SecureNode } from './secureSupport.js'

const SECRET = 'a long random room secret 9b7c1f0e'
const MARKER = 'PLAINTEXT-MARKER-in-the-doc-0451'

/** Advances virtual time by `ms` in 5 ms steps, letting WebCrypto finish after each step. */
async function run(clock: VirtualClock, nodes: readonly SecureNode[], ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 5) {
    clock.advance(5)
    await Promise.all(nodes.map((n) => n.secure.idle()))
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/** A server and a client of one app; the client writes MARKER into the doc and asks the server to echo it. */
async function scenario(secure: boolean): Promise<{ result: SendResult | undefined; wire: Uint8Array[]; nodes: SecureNode[]; serverSaw: unknown }> {
  const network = new MemoryNetwork({ seed: 31 })
  const nodes = [secureNode(network, 's00', SECRET), secureNode(network, 'c00', SECRET)]
  const [s, c] = nodes as [SecureNode, SecureNode]
  // The plain run bypasses the SecureTransport but keeps the tap, to show the marker is visible there.
  const transportOf = (n: SecureNode): Transport => (secure ? n.secure : n.tap)
  const clock = network.clock
  const server = initServer('secure-demo', {
    transport: transportOf(s), clock, random: seededRandom(1),
    onReceive: (msg) => {
      server.commitChange({ echoed: msg })
      return msg
    }
  })
  await run(clock, nodes, 400)
  const client = connect('secure-demo', { transport: transportOf(c), clock, random: seededRandom(2) })
  await run(clock, nodes, 300)
  client.data.set('note', MARKER)
  let result: SendResult | undefined
  void client.send({ text: MARKER }).then((r) => {
    result = r
  })
  for (let i = 0; i < 100 && result === undefined; i++) await run(clock, nodes, 20)
  await run(clock, nodes, 200)
  const serverSaw = server.data.get('note')
  server.stop()
  client.close()
  client.peer.stop()
  expect(network.handlerErrors()).toEqual([])
  const wire = nodes.flatMap((n: SecureNode) => [...n.tap.sent.map((f) => f.data), ...n.tap.received.map((f) => f.data)])
  return { result, wire, nodes, serverSaw }
}

describe('an sship app over SecureTransport', () => {
  it('syncs the doc and decides a request, with no plaintext on the wire', async () => {
    const { result, wire, nodes, serverSaw } = await scenario(true)
    expect(result?.status).toBe('acknowledged')
    expect(result?.status === 'acknowledged' ? result.reply : undefined).toEqual({ text: MARKER })
    expect(serverSaw).toBe(MARKER)
    expect(wire.length).toBeGreaterThan(10)
    const marker = new TextEncoder().encode(MARKER)
    expect(wire.filter((f) => containsBytes(f, marker)).length, 'frames carrying the marker in clear').toBe(0)
    expect(nodes.flatMap((n) => n.errors)).toEqual([])
  })

  it('control: without SecureTransport the same run shows the marker on the wire', async () => {
    const { result, wire } = await scenario(false)
    expect(result?.status).toBe('acknowledged')
    const marker = new TextEncoder().encode(MARKER)
    expect(wire.filter((f) => containsBytes(f, marker)).length).toBeGreaterThan(0)
  })

  it('a client with the wrong secret never joins and never learns the doc', async () => {
    const network = new MemoryNetwork({ seed: 32 })
    const good = secureNode(network, 's00', SECRET)
    const bad = secureNode(network, 'c00', 'wrong secret')
    const clock = network.clock
    const server = initServer('secure-demo', { transport: good.secure, clock, random: seededRandom(1) })
    server.data.set('note', MARKER)
    await run(clock, [good, bad], 400)
    const client = connect('secure-demo', { transport: bad.secure, clock, random: seededRandom(2) })
    await run(clock, [good, bad], 1000)
    expect(client.data.get('note')).toBeUndefined()
    expect(good.errors.map((e) => e.error.code)).toEqual(['auth-failed'])
    expect(bad.errors.map((e) => e.error.code)).toEqual(['auth-failed'])
    expect(server.peer.transport.peers().size).toBe(0)
    server.stop()
    client.peer.stop()
  })
})
