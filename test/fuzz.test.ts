import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  FrameError, FrameErrorCode, asEpoch, asPeerId, connect, decodeEnvelope, initServer, messages, seededRandom,
  type Connection, type PeerId, type Random, type Server
} from '@sship/core'
import { MemoryNetwork, compareAll, tokenCounter } from '@sship/core/testing'
import { generators, validFrames, type FuzzFrame } from './support/fuzzFrames.js'
import { replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/fuzz.test.ts'
const CASES_PER_SEED = 4000
const MAX_FRAME_BYTES = 8192
const [VICTIM, NORMAL, ROGUE] = [asPeerId('victim'), asPeerId('normal'), asPeerId('rogue')]

const weights: Array<[string, number]> = [
  ['random', 15], ['wrongVersion', 6], ['unknownType', 6], ['truncated', 15], ['oversized', 1],
  ['mutated', 35], ['badUpdate', 12], ['badSyncKind', 3], ['decodable', 7]
]
const totalWeight = weights.reduce((a, [, w]) => a + w, 0)
function choose(r: Random): string {
  let x = r.next() * totalWeight
  for (const [name, w] of weights) if ((x -= w) < 0) return name
  return 'random'
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])
const hex = (d: Uint8Array): string => Buffer.from(d.subarray(0, 48)).toString('hex') + (d.length > 48 ? `… (${d.length} bytes)` : '')

/** A victim server, a normal client and a rogue transport that only sends, on one calm network. */
function setup(seed: number): { network: MemoryNetwork; victim: Server; normal: Connection; send: (f: Uint8Array) => void; from: Set<PeerId | undefined> } {
  // Zero latency: a rogue frame is handled within `flush()` with no clock time passing, so no other
  // timer runs meanwhile and any doc change in that window is the frame's doing.
  const network = new MemoryNetwork({ seed, latencyMs: { min: 0, max: 0 } })
  const clock = network.clock
  const victim = initServer('fuzz', {
    transport: network.transport(VICTIM), clock, random: seededRandom(seed + 1), awareness: true, maxFrameBytes: MAX_FRAME_BYTES
  })
  victim.onReceive(tokenCounter(victim))
  const normal = connect('fuzz', { transport: network.transport(NORMAL), clock, random: seededRandom(seed + 2) })
  const rogue = network.transport(ROGUE)
  rogue.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
  const from = new Set<PeerId | undefined>()
  victim.peer.onError((_e, peer) => from.add(peer))
  clock.advance(1000)
  return { network, victim, normal, send: (f) => rogue.send(VICTIM, f), from }
}

interface FuzzOutcome {
  cases: number
  mustReject: number
  rejected: number
  failures: string[]
}

/** Throws `CASES_PER_SEED` seeded frames at the victim, one at a time, checking each. */
function fuzz(seed: number, env: ReturnType<typeof setup>): FuzzOutcome {
  const r = seededRandom(seed)
  const gens = generators(ROGUE, MAX_FRAME_BYTES)
  const out: FuzzOutcome = { cases: 0, mustReject: 0, rejected: 0, failures: [] }
  const doc = env.victim.peer.doc
  for (let i = 0; i < CASES_PER_SEED && out.failures.length < 5; i++) {
    try {
      env.network.clock.advance(Math.floor(r.next() * 20))
    } catch (e) {
      out.failures.push(`a timer threw after case ${i - 1}: ${String(e)}`)
    }
    const f: FuzzFrame = gens[choose(r)]?.(r) ?? { kind: 'none', data: new Uint8Array(0), mustReject: true }
    const before = Y.encodeStateAsUpdate(doc)
    const errorsBefore = env.victim.peer.stats.totalErrors()
    env.send(f.data)
    try {
      env.network.flush()
    } catch (e) {
      out.failures.push(`case ${i} (${f.kind}) made a handler or timer throw: ${String(e)} frame ${hex(f.data)}`)
    }
    out.cases++
    const rejected = env.victim.peer.stats.totalErrors() > errorsBefore
    if (f.mustReject) out.mustReject++
    if (rejected) out.rejected++
    if (f.mustReject && !rejected) out.failures.push(`case ${i} (${f.kind}) was accepted: ${hex(f.data)}`)
    if (rejected && !same(before, Y.encodeStateAsUpdate(doc))) out.failures.push(`case ${i} (${f.kind}) was rejected but changed the doc: ${hex(f.data)}`)
  }
  return out
}

describe('a live peer under a rogue peer\'s random, truncated, mutated, oversized, wrong-version and unknown-type frames', () => {
  const list = seeds(3)
  it.each(list)(`keeps its doc, counts errors by code and keeps serving (seed %i, ${CASES_PER_SEED} frames)`, (seed) => {
    const env = setup(seed)
    const { network, victim, normal } = env
    const result = fuzz(seed, env)
    const replay = `replay: ${replayCommand(FILE, seed)}`
    expect(result.failures, `${result.failures.join('\n')}\n${replay}`).toEqual([])
    expect(network.handlerErrors(), replay).toEqual([])
    const errors = victim.peer.stats.errors
    expect(Object.values(errors).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(result.mustReject)
    expect(result.rejected).toBeGreaterThanOrEqual(result.mustReject)
    for (const code of Object.values(FrameErrorCode)) expect(errors[code] ?? 0, `errors ${JSON.stringify(errors)}`).toBeGreaterThan(0)
    expect(errors.internal ?? 0, `internal errors ${JSON.stringify(errors)}; ${replay}`).toBe(0)
    expect([...env.from]).toEqual([ROGUE])
    expect(normal.peer.stats.totalErrors()).toBe(0)

    // Afterwards the victim still replicates both ways and decides requests (the rogue went silent).
    network.clock.advance(2000)
    normal.data.set('after', 'normal')
    victim.data.set('victim', 'after')
    void normal.send({ token: `after-${seed}` })
    network.clock.advance(5000)
    expect(victim.data.get('after')).toBe('normal')
    expect(normal.data.get('victim')).toBe('after')
    expect(normal.getRequests().map((q) => q.status), `${JSON.stringify(victim.getSnapshot())}; ${replay}`).toEqual(['acknowledged'])
    compareAll([victim.peer.doc, normal.doc], { lostUpdatesPossible: true })
    console.log(`seed ${seed}: ${result.cases} frames, ${result.mustReject} invalid by construction, ${result.rejected} rejected; errors ${JSON.stringify(errors)}`)
  })
})

describe('the pure decoders never throw', () => {
  // Every `decode*` the messages module exports, so decoders added later are fuzzed too.
  const decoders: Record<string, (b: Uint8Array) => unknown> = {
    envelope: (b) => decodeEnvelope(b, 64),
    ...Object.fromEntries((Object.entries(messages) as Array<[string, unknown]>).filter(
      (e): e is [string, (b: Uint8Array) => unknown] => e[0].startsWith('decode') && typeof e[1] === 'function'
    ))
  }
  const CASES = 20_000
  it(`on ${CASES} random, mutated and offset byte strings, for each of ${Object.keys(decoders).length} decoders`, () => {
    const r = seededRandom(list0())
    const codes = new Set<string>()
    let calls = 0
    let ok = 0
    for (let i = 0; i < CASES; i++) {
      const valid = Object.values(validFrames(r, ROGUE))
      const base = valid[Math.floor(r.next() * valid.length)] ?? new Uint8Array(0)
      const len = Math.floor(r.next() * 40)
      // A view into a larger buffer: a decoder must not read past the view's end.
      const raw = i % 3 === 0 ? base.slice(2, 2 + Math.floor(r.next() * base.length)) : Uint8Array.from({ length: len }, () => Math.floor(r.next() * 256))
      const backing = new Uint8Array(raw.length + 16).fill(0x01)
      backing.set(raw, 8)
      const input = i % 2 === 0 ? raw : backing.subarray(8, 8 + raw.length)
      for (const decode of Object.values(decoders)) {
        const result = decode(input) as { ok: true } | { ok: false; error: unknown }
        expect(typeof result.ok).toBe('boolean')
        calls++
        if (result.ok) ok++
        else {
          expect(result.error).toBeInstanceOf(FrameError)
          codes.add((result.error as FrameError).code)
        }
      }
    }
    expect(calls).toBe(CASES * Object.keys(decoders).length)
    expect(ok).toBeGreaterThan(0)
    expect(Object.keys(decoders).length).toBeGreaterThanOrEqual(8)
    expect([...codes].sort()).toEqual(['bad-version', 'malformed', 'oversized', 'truncated', 'unknown-type'])
  })
})

function list0(): number {
  return seeds(1)[0] ?? 1
}

describe('decodable coordinator input at the edges of its fields', () => {
  it('a heartbeat at epoch Number.MAX_SAFE_INTEGER from a rogue peer neither throws from a timer nor stops the app', () => {
    const { network, normal, send } = setup(1)
    send(messages.encodeHeartbeat({ epoch: asEpoch(Number.MAX_SAFE_INTEGER), leader: ROGUE, nonce: 0, viewVersion: 0, digest: 0, count: 0 }))
    // The rogue goes silent: the victim suspects it and claims a term above the highest it knows.
    expect(() => network.clock.advance(10_000)).not.toThrow()
    void normal.send({ token: 'after' })
    expect(() => network.clock.advance(5_000)).not.toThrow()
    expect(normal.getRequests().map((q) => q.status)).toEqual(['acknowledged'])
  })
})
