import { describe, expect, it } from 'vitest'
import { asPeerId, ConfigError, SecurityError, type PeerId } from '@sship/core'
import { SecureTransport } from '@sship/core/security'
import { ReplayWindow } from '@sship/core/internals'
import { MemoryNetwork } from '@sship/core/testing'
import { containsBytes, Log, secureNode, settle, type SecureNode } from './secureSupport.js'

const SECRET = 'room secret: 7f3a9c1e5b2d4806'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const DATA = 3

/** Connects every node with a fresh log and settles; returns the logs in order. */
async function start(network: MemoryNetwork, nodes: readonly SecureNode[]): Promise<Log[]> {
  const logs = nodes.map(() => new Log())
  nodes.forEach((n, i) => n.secure.connect(logs[i] as Log))
  await settle(network, nodes.map((n) => n.secure))
  return logs
}

/** The data frames (not handshake frames) `node` put on the wire to `to`. */
const dataFrames = (node: SecureNode, to: PeerId): Uint8Array[] =>
  node.tap.sent.filter((f) => f.to === to && f.data[1] === DATA).map((f) => f.data)

const codes = (node: SecureNode): string[] => node.errors.map((e) => e.error.code)

describe('SecureTransport handshake', () => {
  it('reports a peer joined only after both proofs check, and drops sends until then', async () => {
    const network = new MemoryNetwork({ seed: 11 })
    const a = secureNode(network, 'a', SECRET)
    const b = secureNode(network, 'b', SECRET)
    const la = new Log()
    a.secure.connect(la)
    b.secure.connect(new Log())
    network.flush() // the inner link is up; the crypto has not run yet
    expect(a.tap.inner.peers().has(b.id)).toBe(true)
    expect([...a.secure.peers()]).toEqual([])
    expect(la.joined).toEqual([])
    a.secure.send(b.id, text('too early'))
    await settle(network, [a.secure, b.secure])
    expect(la.joined).toEqual([b.id])
    expect([...a.secure.peers()]).toEqual([b.id])
    expect(dataFrames(a, b.id)).toEqual([])
    expect([...a.errors, ...b.errors]).toEqual([])
  })

  it('refuses a wrong secret on both sides with auth-failed, and never reports the peer joined', async () => {
    const network = new MemoryNetwork({ seed: 12 })
    const a = secureNode(network, 'a', SECRET)
    const b = secureNode(network, 'b', 'a guess')
    const [la, lb] = await start(network, [a, b])
    expect(la?.joined).toEqual([])
    expect(lb?.joined).toEqual([])
    expect([...a.secure.peers()]).toEqual([])
    expect([...b.secure.peers()]).toEqual([])
    expect(a.errors.map((e) => [e.error.code, e.peer])).toEqual([['auth-failed', b.id]])
    expect(b.errors.map((e) => [e.error.code, e.peer])).toEqual([['auth-failed', a.id]])
    expect(a.errors[0]?.error).toBeInstanceOf(SecurityError)
    a.secure.send(b.id, text('secret plans'))
    await settle(network, [a.secure, b.secure])
    expect(dataFrames(a, b.id)).toEqual([])
    expect(lb?.frames).toEqual([])
  })

  it('lets members link while an outsider is refused by each of them', async () => {
    const network = new MemoryNetwork({ seed: 13 })
    const a = secureNode(network, 'a', SECRET)
    const b = secureNode(network, 'b', SECRET)
    const m = secureNode(network, 'm', 'not the secret')
    const [la, lb, lm] = await start(network, [a, b, m])
    expect(la?.joined).toEqual([b.id])
    expect(lb?.joined).toEqual([a.id])
    expect(lm?.joined).toEqual([])
    expect(codes(a)).toEqual(['auth-failed'])
    expect(codes(b)).toEqual(['auth-failed'])
    expect(m.errors.map((e) => e.peer).sort()).toEqual([a.id, b.id])
  })

  it('sets up a new session when a peer restarts, reporting it left and joined again', async () => {
    const network = new MemoryNetwork({ seed: 14 })
    const a = secureNode(network, 'a', SECRET)
    const b = secureNode(network, 'b', SECRET)
    const [la] = await start(network, [a, b])
    network.crash(b.id)
    const b2 = new SecureTransport(network.transport(b.id), { secret: SECRET, appName: 'test-app', iterations: 1_000 })
    const lb2 = new Log()
    b2.connect(lb2)
    await settle(network, [a.secure, b2])
    expect(la?.joined).toEqual([b.id, b.id])
    expect(la?.left).toEqual([b.id])
    a.secure.send(b.id, text('welcome back'))
    await settle(network, [a.secure, b2])
    expect(lb2.textFrom(a.id)).toEqual(['welcome back'])
    expect(a.errors).toEqual([])
  })

  it('refuses bad options with a ConfigError', () => {
    const inner = new MemoryNetwork({ seed: 15 }).transport(asPeerId('x'))
    expect(() => new SecureTransport(inner, { secret: '', appName: 'app' })).toThrow(ConfigError)
    expect(() => new SecureTransport(inner, { secret: SECRET, appName: '' })).toThrow(ConfigError)
    expect(() => new SecureTransport(inner, { secret: SECRET, appName: 'app', replayWindow: -1 })).toThrow(ConfigError)
    expect(() => new SecureTransport(inner, { secret: SECRET, appName: 'app', iterations: 0 })).toThrow(ConfigError)
  })
})

describe('SecureTransport frames', () => {
  async function pair(seed: number, replayWindow?: number): Promise<{ network: MemoryNetwork; a: SecureNode; b: SecureNode; lb: Log }> {
    const network = new MemoryNetwork({ seed })
    const options = replayWindow === undefined ? {} : { replayWindow }
    const a = secureNode(network, 'a', SECRET, options)
    const b = secureNode(network, 'b', SECRET, options)
    const [, lb] = await start(network, [a, b])
    return { network, a, b, lb: lb as Log }
  }

  it('puts no plaintext on the wire', async () => {
    const { network, a, b, lb } = await pair(21)
    const marker = 'PLAINTEXT-MARKER-4711'
    a.secure.send(b.id, text(`doc content ${marker} doc content`))
    await settle(network, [a.secure, b.secure])
    expect(lb.textFrom(a.id)).toEqual([`doc content ${marker} doc content`])
    const wire = [...a.tap.sent.map((f) => f.data), ...b.tap.received.map((f) => f.data)]
    expect(wire.length).toBeGreaterThan(0)
    expect(wire.filter((f) => containsBytes(f, text(marker)))).toEqual([])
  })

  it('rejects a replayed ciphertext and keeps serving', async () => {
    const { network, a, b, lb } = await pair(22)
    a.secure.send(b.id, text('pay 10'))
    await settle(network, [a.secure, b.secure])
    const [captured] = dataFrames(a, b.id)
    b.tap.inject(a.id, captured as Uint8Array)
    await settle(network, [a.secure, b.secure])
    expect(codes(b)).toEqual(['replay'])
    expect(b.errors[0]?.peer).toBe(a.id)
    a.secure.send(b.id, text('pay 20'))
    await settle(network, [a.secure, b.secure])
    expect(lb.textFrom(a.id)).toEqual(['pay 10', 'pay 20'])
  })

  it('rejects a tampered ciphertext, and a frame whose counter was rewritten', async () => {
    const { network, a, b, lb } = await pair(23)
    a.tap.rewrite = (_to, data) => {
      const copy = data.slice()
      if (copy[1] === DATA) copy[copy.length - 20] = (copy[copy.length - 20] ?? 0) ^ 0x01
      return copy
    }
    a.secure.send(b.id, text('original text'))
    await settle(network, [a.secure, b.secure])
    expect(codes(b)).toEqual(['decrypt-failed'])
    a.tap.rewrite = (_to, data) => data
    a.secure.send(b.id, text('second'))
    await settle(network, [a.secure, b.secure])
    const moved = (dataFrames(a, b.id).at(-1) as Uint8Array).slice()
    moved[9] = 0x7f // the counter's low byte: IV and associated data no longer match
    b.tap.inject(a.id, moved)
    await settle(network, [a.secure, b.secure])
    expect(codes(b)).toEqual(['decrypt-failed', 'decrypt-failed'])
    expect(lb.textFrom(a.id)).toEqual(['second'])
  })

  it('reports a malformed frame and keeps the link', async () => {
    const { network, a, b, lb } = await pair(24)
    b.tap.inject(a.id, new Uint8Array([1, 3, 0, 0]))
    b.tap.inject(a.id, new Uint8Array([9, 9, 9]))
    await settle(network, [a.secure, b.secure])
    expect(codes(b)).toEqual(['malformed', 'malformed'])
    a.secure.send(b.id, text('still fine'))
    await settle(network, [a.secure, b.secure])
    expect(lb.textFrom(a.id)).toEqual(['still fine'])
  })

  it('accepts frames reordered within the window, each once', async () => {
    const { network, a, b, lb } = await pair(25)
    const held: Uint8Array[] = []
    a.tap.rewrite = (_to, data) => (data[1] === DATA ? (held.push(data.slice()), undefined) : data)
    for (const s of ['one', 'two', 'three']) a.secure.send(b.id, text(s))
    await settle(network, [a.secure, b.secure])
    for (const i of [2, 0, 1, 0]) b.tap.inject(a.id, held[i] as Uint8Array)
    await settle(network, [a.secure, b.secure])
    expect(lb.textFrom(a.id)).toEqual(['three', 'one', 'two'])
    expect(codes(b)).toEqual(['replay'])
  })

  it('with replayWindow 0 accepts only increasing counters', async () => {
    const { network, a, b, lb } = await pair(26, 0)
    const held: Uint8Array[] = []
    a.tap.rewrite = (_to, data) => (data[1] === DATA ? (held.push(data.slice()), undefined) : data)
    for (const s of ['one', 'two']) a.secure.send(b.id, text(s))
    await settle(network, [a.secure, b.secure])
    for (const i of [1, 0]) b.tap.inject(a.id, held[i] as Uint8Array)
    await settle(network, [a.secure, b.secure])
    expect(lb.textFrom(a.id)).toEqual(['two'])
    expect(codes(b)).toEqual(['replay'])
  })

  it('emits nothing after close, even for frames being decrypted', async () => {
    const { network, a, b, lb } = await pair(27)
    a.secure.send(b.id, text('late'))
    network.flush()
    b.secure.close()
    await settle(network, [a.secure, b.secure])
    expect(lb.frames).toEqual([])
  })
})

describe('ReplayWindow', () => {
  it('accepts each counter once within the window, refuses older ones', () => {
    const w = new ReplayWindow(4)
    const take = (c: number): string => {
      const verdict = w.check(c)
      if (verdict === 'fresh') w.accept(c)
      return verdict
    }
    expect([1, 3, 2, 3, 10, 7, 6, 6, 5].map(take)).toEqual(
      ['fresh', 'fresh', 'fresh', 'replayed', 'fresh', 'fresh', 'too-old', 'too-old', 'too-old']
    )
    expect(take(9)).toBe('fresh')
    expect(take(0)).toBe('too-old')
  })

  it('is strict in-order with size 0', () => {
    const w = new ReplayWindow(0)
    expect(w.check(2)).toBe('fresh')
    w.accept(2)
    expect(w.check(1)).toBe('too-old')
    expect(w.check(2)).toBe('too-old')
    expect(w.check(3)).toBe('fresh')
  })
})
