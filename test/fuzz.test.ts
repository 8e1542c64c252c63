import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { FrameError, FrameErrorCode, type Epoch } from '@sship/core'
import { MessageType, decodeEnvelope, encodeEnvelope, messages, seededRandom } from '@sship/core/internals'
import { validFrames } from './support/fuzzFrames.js'
import { ROGUE, fuzz, fuzzWorld } from './support/fuzzVictim.js'
import { replayCommand, seeds } from './support/seeds.js'

const FILE = 'test/fuzz.test.ts'
const CASES_PER_SEED = 4000

describe('a live peer under a rogue peer\'s random, truncated, mutated, oversized, wrong-version and unknown-type frames', () => {
  it.each(seeds(3))(`keeps its doc, counts errors by code and keeps serving (seed %i, ${CASES_PER_SEED} frames)`, (seed) => {
    const w = fuzzWorld(seed)
    const { network, victim, normal } = w
    const result = fuzz(seed, w, CASES_PER_SEED)
    const replay = `replay: ${replayCommand(FILE, seed)}`
    const errors = victim.peer.stats.errors
    console.log(`seed ${seed}: ${result.cases} frames ${JSON.stringify(result.byGenerator)}, ${result.mustReject} invalid by construction, ${result.rejected} rejected; errors ${JSON.stringify(errors)}`)
    expect(network.handlerErrors(), replay).toEqual([])
    expect(Object.values(errors).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(result.mustReject)
    for (const code of Object.values(FrameErrorCode)) expect(errors[code] ?? 0, `no ${code} among ${JSON.stringify(errors)}`).toBeGreaterThan(0)
    const internal = w.reported.filter((x) => x.error.code === 'internal').map((x) => `from ${x.from}: ${x.error.message}`)
    expect(internal, `internal errors (a handler threw); ${replay}`).toEqual([])
    const problems = Object.entries(result.problems).filter(([, list]) => list.length > 0).map(([kind, list]) => `${kind}:\n  ${list.join('\n  ')}`)
    expect(problems, `${problems.join('\n')}\n${replay}`).toEqual([])
    expect(new Set(w.reported.map((x) => x.from))).toEqual(new Set([ROGUE]))
    expect(normal.peer.stats.totalErrors()).toBe(0)

    // Afterwards (the rogue went silent) the victim still replicates both ways and decides requests.
    network.clock.advance(2000)
    normal.data.set('after', 'normal')
    victim.data.set('victim', 'after')
    void normal.send({ token: `after-${seed}` })
    network.clock.advance(5000)
    expect(victim.data.get('after')).toBe('normal')
    expect(normal.data.get('victim')).toBe('after')
    expect(normal.getRequests().map((q) => q.status), `${JSON.stringify(victim.getSnapshot())}; ${replay}`).toEqual(['acknowledged'])
    // No compareAll here: mutated updates make the rogue equivocate (two different structs under one
    // Yjs ID, e.g. one client's clock 7 with two different origins). Yjs assumes IDs are unique, so
    // replicas that kept different versions need not converge; no unauthenticated CRDT can promise it.
  })
})

describe('decodable coordinator input at the edges of its fields', () => {
  it('a heartbeat at epoch Number.MAX_SAFE_INTEGER from a rogue peer neither throws from a timer nor stops the app', () => {
    const { network, normal, send } = fuzzWorld(1)
    send(messages.encodeHeartbeat({ epoch: Number.MAX_SAFE_INTEGER as Epoch, leader: ROGUE, nonce: 0, viewVersion: 0, digest: 0, count: 0, committed: 0 }))
    // The rogue goes silent: the victim suspects it and claims a term above the highest it knows.
    expect(() => network.clock.advance(10_000)).not.toThrow()
    void normal.send({ token: 'after' })
    expect(() => network.clock.advance(5_000)).not.toThrow()
    expect(normal.getRequests().map((q) => q.status)).toEqual(['acknowledged'])
  })
})

describe('a Yjs update that decodes but cannot be applied', () => {
  /** A sync step 2 frame carrying `hex` as its update. */
  const step2 = (hex: string): Uint8Array => {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2)
    encoding.writeVarUint8Array(e, Buffer.from(hex, 'hex'))
    return encodeEnvelope(MessageType.Sync, encoding.toUint8Array(e))
  }
  // Both found by the fuzz runs: a scratch doc's update (clocks 0-8 of one client) with a byte changed.
  // Seed 3: the last item's origin becomes clock 127 of its own client. Y.decodeUpdate accepts it;
  // Y.applyUpdate integrates clocks 0-7, then throws on the missing origin.
  const partial = '0105ee97a7ae04002801046461746107726f6775653136017da909040109636f6e762e7465787405726f677565080109636f6e762e6c697374' +
    '017d0181ee97a7ae04060188ee97a7ae047f0176010574687265657d0301ee97a7ae04010701'
  // Seed 117 (with the other bugs masked): Y.applyUpdate throws "Unexpected case" while encoding the
  // transaction for the 'update' event, so Y.Doc._transactionCleanups is never reset: the doc emits
  // no 'update' or 'afterTransaction' event ever again (no broadcasts; the Ledger stops hearing).
  const wedging = '0105c283ca56002801046461746107726f6775653630017dbd01040109636f6e762e7465787405726f677565080109636f6e762e6c697374' +
    '017d0181c283ca56060088c283ca56070176010574687265657d0301c283ca56010701'

  it('is rejected as bad-update and leaves the victim\'s doc as it was', () => {
    const { network, victim, send } = fuzzWorld(1)
    const before = Y.encodeStateAsUpdate(victim.peer.doc)
    send(step2(partial))
    network.flush()
    expect(victim.peer.stats.errors['bad-update']).toBe(1)
    expect(victim.data.toJSON()).toEqual({})
    expect(Buffer.from(Y.encodeStateAsUpdate(victim.peer.doc)).equals(before)).toBe(true)
  })

  it('does not wedge the victim: it still broadcasts its writes at once and decides requests', () => {
    const { network, victim, normal, send } = fuzzWorld(1)
    send(step2(wedging))
    network.flush()
    expect(victim.peer.stats.errors['bad-update']).toBe(1)
    victim.data.set('still', 'alive')
    network.flush() // zero latency: a broadcast arrives now; anti-entropy would take a second
    expect(normal.data.get('still')).toBe('alive')
    void normal.send({ token: 'after' })
    network.clock.advance(3000)
    expect(normal.getRequests().map((q) => q.status)).toEqual(['acknowledged'])
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
  it(`on ${CASES} random, cut and offset byte strings, for each of ${Object.keys(decoders).length} decoders`, () => {
    const r = seededRandom(seeds(1)[0] ?? 1)
    const pool = Array.from({ length: 32 }, () => Object.values(validFrames(r, ROGUE)))
    const codes = new Set<string>()
    const bad: string[] = []
    let calls = 0
    let ok = 0
    for (let i = 0; i < CASES; i++) {
      const frames = pool[Math.floor(r.next() * pool.length)] ?? []
      const base = frames[Math.floor(r.next() * frames.length)] ?? new Uint8Array(0)
      // A third are payloads of valid frames cut anywhere; the rest random bytes.
      const raw = i % 3 === 0
        ? base.slice(2, 2 + Math.floor(r.next() * base.length))
        : Uint8Array.from({ length: Math.floor(r.next() * 40) }, () => Math.floor(r.next() * 256))
      // Half are views into a larger buffer: a decoder must not read past the view's end.
      const backing = new Uint8Array(raw.length + 16).fill(0x01)
      backing.set(raw, 8)
      const input = i % 2 === 0 ? raw : backing.subarray(8, 8 + raw.length)
      for (const [name, decode] of Object.entries(decoders)) {
        calls++
        let result: { ok: boolean; error?: unknown }
        try {
          result = decode(input) as { ok: boolean; error?: unknown }
        } catch (e) {
          if (bad.length < 5) bad.push(`${name} threw ${String(e)} on ${Buffer.from(input).toString('hex')}`)
          continue
        }
        if (result.ok === true) ok++
        else if (result.ok === false && result.error instanceof FrameError) codes.add(result.error.code)
        else if (bad.length < 5) bad.push(`${name} returned ${String(result)} on ${Buffer.from(input).toString('hex')}`)
      }
    }
    expect(bad).toEqual([])
    expect(calls).toBe(CASES * Object.keys(decoders).length)
    expect(Object.keys(decoders).length).toBeGreaterThanOrEqual(8)
    expect(ok).toBeGreaterThan(0)
    expect([...codes].sort()).toEqual(['bad-version', 'malformed', 'oversized', 'truncated', 'unknown-type'])
  })
})
