/**
 * Hostile-input property tests (issue [G]) with fast-check: every decoder on truncated,
 * oversized, mutated, random and wrong-version input; malformed Yjs updates and forged
 * coordinator claims against a live victim peer. Seeded and replayable: see support/fcRun.ts.
 */
import fc from 'fast-check'
import * as Y from 'yjs'
import { afterAll, describe, expect, it } from 'vitest'
import { FrameError, FrameErrorCode } from '@sship/core'
import { MAX_EPOCH, decodeEnvelope, type DecodeResult } from '@sship/core/internals'
import {
  DATA_HEADER_BYTES, ECDH_BYTES, EPHEMERAL_KEY_BYTES, MAX_COUNTER, MAX_IDENTITY_KEY_BYTES, MAX_IDENTITY_SIG_BYTES, NONCE_BYTES, PROOF_BYTES, SECURE_VERSION,
  SecureFrameType, decodeSecureFrame, encodeData, encodeDataHeader, encodeHello, encodeIdentity, encodeProof
} from '../packages/core/src/security/secureFrames.js'
import { Tally, fcParams, fcSeed } from './support/fcRun.js'
import { ENVELOPE_LIMIT, coordinatorCodecs, hostileFrameArb, hostileSecureArb, viewArb } from './support/hostileArbitraries.js'
import { ROGUE, fuzzWorld, type FuzzWorld } from './support/fuzzVictim.js'
import { badUpdateArb, forgedHeartbeat, forgeriesArb, syncFrame, type Forgery } from './support/hostileWorld.js'

const FILE = 'test/hostile.property.test.ts'
/** How long a normal request may take to be decided after hostile input. */
const SERVE_WITHIN_MS = 6000
/** Fail on decoded integers above 2^53 - 1 (a known core bug; off by default, tallied as ok-unsafe-int). */
const knownCodes = new Set<string>(Object.values(FrameErrorCode))
const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex')
/** A canonical string of a decoded value: keys sorted, bytes as hex, prototypes ignored. */
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => {
  if (x instanceof Uint8Array) return `bytes:${hex(x)}`
  if (typeof x === 'object' && x !== null && !Array.isArray(x)) return Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
  return x
})
const sameValue = (a: unknown, b: unknown): boolean => canon(a) === canon(b)
const tallies: string[] = []
let totalCases = 0
afterAll(() => {
  console.log(`fast-check seed ${fcSeed()}; ${totalCases} cases in all\n${tallies.join('\n')}`)
})

/** Runs `fc.assert` on `arb` with the env-driven parameters; `name` is the full test name. */
function check<T>(name: string, defaultRuns: number, arb: fc.Arbitrary<T>, predicate: (value: T) => void): void {
  fc.assert(fc.property(arb, predicate), fcParams<[T]>(FILE, name, defaultRuns))
}

class Violation extends Error {}
function ensure(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Violation(message())
}

/** Checks a decode result's shape: ok with a value, or a FrameError with a known code. Returns the code or 'ok'. */
function outcomeOf(result: DecodeResult<unknown>, what: string): string {
  ensure(typeof result === 'object' && result !== null, () => `${what} returned ${String(result)}`)
  if (result.ok) {
    ensure(typeof result.value === 'object' && result.value !== null, () => `${what}: ok without a value`)
    return 'ok'
  }
  ensure(result.ok === false && result.error instanceof FrameError, () => `${what}: not ok and no FrameError: ${String((result as { error?: unknown }).error)}`)
  ensure(knownCodes.has(result.error.code), () => `${what}: unknown error code ${result.error.code}`)
  ensure(result.error.message.length > 0, () => `${what}: empty error message`)
  return result.error.code
}

/** Field invariants of a decoded coordinator message. */
function checkFields(name: string, value: Record<string, unknown>): boolean {
  let unsafe = false
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'number') continue
    ensure(Number.isInteger(v) && v >= 0, () => `${name}.${k} = ${v}`)
    // Decoders refuse 8-byte varuints (lib0 would return them rounded, above 2^53 - 1).
    if (!Number.isSafeInteger(v)) {
      ensure(false, () => `${name}.${k} = ${v} is above Number.MAX_SAFE_INTEGER`)
      unsafe = true
    }
  }
  if ('epoch' in value) ensure((value.epoch as number) <= MAX_EPOCH, () => `${name}.epoch ${String(value.epoch)} > MAX_EPOCH`)
  if ('digest' in value) ensure((value.digest as number) <= 0xffff_ffff, () => `${name}.digest out of range`)
  for (const id of [value.leader, ...((value.alive as unknown[] | undefined) ?? [])]) {
    if (id !== undefined) ensure(typeof id === 'string' && id.length >= 1 && id.length <= 128, () => `${name}: bad peer id ${String(id)}`)
  }
  return unsafe
}

describe('hostile input, property-based', () => {
  const DECODERS = 'hostile input, property-based every decoder returns ok (round-trippable) or a FrameError with a known code'
  it('every decoder returns ok (round-trippable) or a FrameError with a known code', () => {
    const tally = new Tally()
    const unsafeInts = new Map<string, number>()
    check(DECODERS, 60_000, fc.tuple(hostileFrameArb, viewArb), ([f, view]) => {
      const input = view(f.data)
      const env = decodeEnvelope(input, ENVELOPE_LIMIT)
      const envOutcome = outcomeOf(env, 'decodeEnvelope')
      let outcome = envOutcome === 'ok' ? 'envelope-ok' : `envelope:${envOutcome}`
      // Every payload decoder sees every payload (the envelope's, or the raw bytes after two).
      const payload = env.ok ? env.value.payload : input.subarray(Math.min(2, input.length))
      for (const codec of coordinatorCodecs) {
        const r = codec.decode(payload)
        const o = outcomeOf(r, `decode${codec.name}`)
        if (r.ok) {
          const value = r.value as Record<string, unknown>
          if (checkFields(codec.name, value)) unsafeInts.set(codec.name, (unsafeInts.get(codec.name) ?? 0) + 1)
          const again = decodeEnvelope(codec.encode(value as never))
          ensure(again.ok && again.value.type === codec.type, () => `encode${codec.name} of a decoded value gives no ${codec.name} envelope`)
          const back = codec.decode(again.value.payload)
          ensure(back.ok && sameValue(back.value, value), () => `decode${codec.name} → encode → decode changed ${JSON.stringify(value)}`)
        }
        if (env.ok && codec.type === env.value.type) outcome = o === 'ok' ? 'ok' : `payload:${o}`
      }
      const expected = f.expect
      if (expected === 'ok') {
        ensure(outcome === 'ok', () => `valid ${f.name} frame gave ${outcome}`)
        const codec = coordinatorCodecs.find((c) => c.name === f.name)
        const r = codec?.decode(env.ok ? env.value.payload : new Uint8Array())
        ensure(r?.ok === true && sameValue(r.value, f.value), () => `valid ${f.name} did not decode to its value`)
      } else if (expected === 'payload') {
        ensure(outcome.startsWith('payload:'), () => `${f.kind} ${f.name} frame gave ${outcome}, not a payload error`)
      } else if (expected !== 'any') {
        ensure(outcome === expected, () => `${f.kind} frame gave ${outcome}, not ${expected}`)
      }
      if (f.kind === 'trailing') ensure(outcome === 'payload:malformed', () => `trailing bytes gave ${outcome}`)
      tally.add(f.kind, outcome)
    })
    tallies.push(tally.format('decoders (decodeEnvelope + every messages.decode*)'))
    tallies.push(`  known bug, decoded ok with an integer above 2^53 - 1 (decoder calls): ${JSON.stringify(Object.fromEntries(unsafeInts))}`)
    totalCases += tally.total
    // Every error code the decoders can give was produced.
    const seen = tally.outcomes()
    for (const code of ['truncated', 'malformed', 'oversized', 'bad-version', 'unknown-type']) {
      expect([...seen].some((o) => o.endsWith(`:${code}`)), `no ${code} among ${[...seen].join(', ')}`).toBe(true)
    }
  })

  const SECURE = 'hostile input, property-based decodeSecureFrame returns a byte-exact round-trippable frame or malformed with a reason'
  it('decodeSecureFrame returns a byte-exact round-trippable frame or malformed with a reason', () => {
    const tally = new Tally()
    check(SECURE, 36_000, fc.tuple(hostileSecureArb, viewArb), ([c, view]) => {
      const input = view(c.data)
      const f = decodeSecureFrame(input)
      let outcome: string
      if (f.type === 'malformed') {
        ensure(typeof f.reason === 'string' && f.reason.length > 0, () => 'malformed without a reason')
        outcome = 'malformed'
      } else {
        ensure(input[0] === SECURE_VERSION, () => `accepted version ${String(input[0])}`)
        let again: Uint8Array
        switch (f.type) {
          case SecureFrameType.Hello:
            ensure(f.nonce.length === NONCE_BYTES && (f.echo === undefined || (f.echo.length === NONCE_BYTES && f.echo.some((b) => b !== 0))), () => 'bad Hello fields')
            ensure(f.ephemeral.length === EPHEMERAL_KEY_BYTES, () => 'bad Hello ephemeral key')
            again = encodeHello(f.nonce, f.echo, f.ephemeral)
            outcome = 'Hello'
            break
          case SecureFrameType.Proof:
            ensure(f.mac.length === PROOF_BYTES, () => 'bad Proof mac')
            again = encodeProof(f.mac)
            outcome = 'Proof'
            break
          case SecureFrameType.Data:
            ensure(Number.isSafeInteger(f.counter) && f.counter >= 0 && f.counter <= MAX_COUNTER, () => `counter ${f.counter}`)
            ensure(f.header.length === DATA_HEADER_BYTES, () => 'bad Data header')
            again = encodeData(encodeDataHeader(f.counter), f.ciphertext)
            outcome = 'Data'
            break
          case SecureFrameType.Identity:
            ensure(f.ecdh.length === ECDH_BYTES && f.key.length >= 1 && f.key.length <= MAX_IDENTITY_KEY_BYTES &&
              f.signature.length >= 1 && f.signature.length <= MAX_IDENTITY_SIG_BYTES, () => 'bad Identity fields')
            again = encodeIdentity(f.ecdh, f.key, f.signature)
            outcome = 'Identity'
            break
        }
        ensure(hex(again) === hex(input), () => `${outcome} does not round-trip: ${hex(input)} → ${hex(again)}`)
      }
      ensure(!c.mustReject || outcome === 'malformed', () => `${c.kind} accepted as ${outcome}: ${hex(input)}`)
      tally.add(c.kind.replace(/\/.*/, ''), outcome)
    })
    tallies.push(tally.format('secure frames (decodeSecureFrame)'))
    totalCases += tally.total
    expect(tally.outcomes()).toEqual(new Set(['malformed', 'Hello', 'Proof', 'Data', 'Identity']))
  })

  /** Advances the world, reporting a timer that threw. */
  const advance = (w: FuzzWorld, ms: number): void => {
    try {
      w.network.clock.advance(ms)
    } catch (e) {
      throw new Violation(`a timer threw: ${String(e)}`)
    }
  }
  const flush = (w: FuzzWorld): void => {
    try {
      w.network.flush()
    } catch (e) {
      throw new Violation(`a frame handler threw: ${String(e)}`)
    }
  }
  /** The victim's reports since `from`: each with a known code and blaming the rogue; never `internal`. */
  const reportsSince = (w: FuzzWorld, from: number): string[] => {
    const codes = w.reported.slice(from).map(({ error, from: blamed }) => {
      ensure(error.code !== 'internal', () => `internal error (a handler threw): ${error.message}`)
      ensure(blamed === ROGUE, () => `${error.code} blamed on ${String(blamed)}`)
      return error.code
    })
    return codes
  }
  /** A normal request is still decided, and the victim's writes still reach the normal peer at once. */
  const stillServes = (w: FuzzWorld, token: string): void => {
    w.victim.data.set('alive', token)
    flush(w)
    ensure(w.normal.data.get('alive') === token, () => 'the victim no longer broadcasts its writes (wedged doc?)')
    void w.normal.send({ token })
    // A forged term in the doc makes the victim step down and claim a higher term (about 3 s).
    for (let t = 0; t < SERVE_WITHIN_MS && w.normal.getRequests()[0]?.status !== 'acknowledged'; t += 100) advance(w, 100)
    const statuses = w.normal.getRequests().map((q) => q.status)
    ensure(statuses.length === 1 && statuses[0] === 'acknowledged', () => `normal request ${JSON.stringify(statuses)}; victim ${JSON.stringify(w.victim.getSnapshot())}`)
  }

  const UPDATES = 'hostile input, property-based a live peer rejects malformed Yjs updates without touching its doc and keeps serving'
  it('a live peer rejects malformed Yjs updates without touching its doc and keeps serving', () => {
    const tally = new Tally()
    check(UPDATES, 2_500, badUpdateArb, (u) => {
      const w = fuzzWorld(1)
      const doc = w.victim.peer.doc
      const before = Y.encodeStateAsUpdate(doc)
      const from = w.reported.length
      w.send(u.frame)
      flush(w)
      const codes = reportsSince(w, from)
      for (const code of codes) ensure(knownCodes.has(code), () => `unknown code ${code}`)
      if (codes.length > 0) {
        ensure(hex(Y.encodeStateAsUpdate(doc)) === hex(before), () => `rejected (${codes.join(',')}) yet the doc changed; frame ${hex(u.frame)}`)
      }
      ensure(w.normal.peer.stats.totalErrors() === 0, () => 'the normal peer reported errors')
      stillServes(w, 'after')
      tally.add(u.kind, codes.length === 0 ? 'accepted' : [...new Set(codes)].join('+'))
    })
    tallies.push(tally.format('Yjs updates against a live peer'))
    totalCases += tally.total
    expect(tally.outcome('bad-update')).toBeGreaterThan(0)
    expect(tally.outcome('accepted')).toBeGreaterThan(0)
  })

  const CLAIMS = 'hostile input, property-based forged and stale claims: the peer keeps serving and the ledger counts malformed doc entries'
  it('forged and stale claims: the peer keeps serving and the ledger counts malformed doc entries', () => {
    const tally = new Tally()
    check(CLAIMS, 1_500, forgeriesArb, (forgeries) => {
      const w = fuzzWorld(1)
      const ledger = w.victim.peer.ledger
      const malformedBefore = ledger.malformedEntries
      let malformedWritten = 0
      forgeries.forEach((f: Forgery, i) => {
        const from = w.reported.length
        if (f.act === 'heartbeat') {
          w.send(forgedHeartbeat(f))
        } else {
          // A rogue replica writes the entry and syncs it as an ordinary Yjs update.
          const rogue = new Y.Doc()
          rogue.clientID = 900_000 + i
          rogue.getMap(f.act === 'term' ? 'sship.terms' : 'sship.decisions').set(f.key, f.value)
          w.send(syncFrame(2, Y.encodeStateAsUpdate(rogue)))
          rogue.destroy()
          if (f.malformed) malformedWritten++
        }
        flush(w)
        const codes = reportsSince(w, from)
        if (f.act === 'heartbeat' && f.kind === 'heartbeat/over-max-epoch') ensure(codes.includes('malformed'), () => `heartbeat at epoch ${f.epoch} > MAX_EPOCH was not refused: ${codes.join(',')}`)
        else if (f.act !== 'heartbeat') ensure(codes.length === 0, () => `a well-formed update carrying ${f.kind} was refused: ${codes.join(',')}`)
        tally.add(f.kind, codes.length === 0 ? 'no-error' : [...new Set(codes)].join('+'))
      })
      ensure(ledger.malformedEntries - malformedBefore === malformedWritten,
        () => `ledger counted ${ledger.malformedEntries - malformedBefore} malformed entries, ${malformedWritten} were written`)
      stillServes(w, 'after')
    })
    tallies.push(tally.format('forged/stale claims against a live peer (per hostile act)'))
    totalCases += tally.total
  })

  // Bugs the properties found, fixed, kept as regression tests: a forged epoch of MAX_EPOCH from a
  // peer outside the successorship list used to leave no epoch to claim; decoders used to return
  // integers above 2^53 - 1.
  describe('a forged epoch of MAX_EPOCH from a non-member does not stop the app', () => {
    const decidedAfterForgery = (forge: (w: FuzzWorld) => void): void => {
      const w = fuzzWorld(1)
      forge(w)
      w.network.flush()
      w.network.clock.advance(10_000)
      void w.normal.send({ token: 'after' })
      w.network.clock.advance(10_000)
      expect(w.normal.getRequests().map((q) => q.status), JSON.stringify(w.victim.getSnapshot())).toEqual(['acknowledged'])
    }
    it('from a rogue heartbeat at epoch MAX_EPOCH', () => {
      decidedAfterForgery((w) => w.send(forgedHeartbeat({ act: 'heartbeat', kind: 'heartbeat', epoch: MAX_EPOCH, leader: ROGUE, nonce: 0, count: 0 })))
    })
    it('from a term record at epoch MAX_EPOCH written into the doc by a non-eligible peer', () => {
      decidedAfterForgery((w) => {
        const rogue = new Y.Doc()
        rogue.getMap('sship.terms').set(`${MAX_EPOCH}:rogue:0`, { epoch: MAX_EPOCH, leader: 'rogue', nonce: 0, parent: null, parentCount: 0 })
        w.send(syncFrame(2, Y.encodeStateAsUpdate(rogue)))
      })
    })
    it('but not at MAX_EPOCH - 1', () => {
      decidedAfterForgery((w) => w.send(forgedHeartbeat({ act: 'heartbeat', kind: 'heartbeat', epoch: MAX_EPOCH - 1, leader: ROGUE, nonce: 0, count: 0 })))
    })
  })

  it('payload decoders refuse integers above Number.MAX_SAFE_INTEGER', () => {
    // nonce = 17 * 128^7, an 8-byte varuint (found by the decoder property).
    const r = coordinatorCodecs.find((c) => c.name === 'CatchUpRequest')?.decode(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x11, 0x00]))
    expect(r?.ok === false ? r.error.code : 'accepted').toBe(FrameErrorCode.Malformed)
  })
})
