/**
 * The per-link limiters of issue [J] under virtual time: the token bucket never lets more than
 * `burst + perSecond·t` through, and the sync answer limiter answers a step-1 flood at most once
 * per interval and always answers the latest request. Seeded: a failure prints its seed and the
 * command that replays it.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { asPeerId, type PeerId } from '../src/ids/ids.js'
import { TokenBucket } from '../src/limits/TokenBucket.js'
import { seededRandom } from '../src/random/Random.js'
import { DocSync } from '../src/sync/DocSync.js'
import { SyncAnswerLimiter } from '../src/sync/SyncAnswerLimiter.js'
import { decodeEnvelope } from '../src/protocol/envelope.js'
import { MessageType } from '../src/protocol/MessageType.js'
import { VirtualClock } from '../src/testing/VirtualClock.js'

const FILE = 'packages/core/test/limits.test.ts'
const SEEDS = process.env.SSHIP_SEED !== undefined ? [Number(process.env.SSHIP_SEED)] : [1, 2, 3, 4, 5, 6, 7, 8]
const replay = (seed: number): string => `seed ${seed}; replay: SSHIP_SEED=${seed} npx vitest run ${FILE}`
const A = asPeerId('peer-a')
const B = asPeerId('peer-b')

describe('TokenBucket', () => {
  it('refuses a burst beyond its size and refills at its rate', () => {
    const clock = new VirtualClock()
    const bucket = new TokenBucket({ perSecond: 10, burst: 5 }, clock)
    expect(Array.from({ length: 8 }, () => bucket.take())).toEqual([true, true, true, true, true, false, false, false])
    clock.advance(100)
    expect(bucket.take()).toBe(true)
    expect(bucket.take()).toBe(false)
    clock.advance(10_000)
    expect(bucket.available()).toBe(5)
  })

  it('rejects nonsense rates', () => {
    expect(() => new TokenBucket({ perSecond: 0, burst: 1 }, new VirtualClock())).toThrow(RangeError)
  })

  it.each(SEEDS)('never admits more than burst + rate·t (seed %i)', (seed) => {
    const random = seededRandom(seed)
    const clock = new VirtualClock()
    const rate = { perSecond: 1 + Math.floor(random.next() * 500), burst: 1 + Math.floor(random.next() * 50) }
    const bucket = new TokenBucket(rate, clock)
    let admitted = 0
    for (let i = 0; i < 5000; i++) {
      clock.advance(Math.floor(random.next() * 20))
      if (bucket.take()) admitted++
      expect(admitted, replay(seed)).toBeLessThanOrEqual(rate.burst + (rate.perSecond * clock.now()) / 1000 + 1e-9)
    }
    // And it is not stingy either: a steady offer well above the rate gets close to the rate.
    expect(admitted, replay(seed)).toBeGreaterThanOrEqual(Math.min(5000, (rate.perSecond * clock.now()) / 1000) * 0.9)
  })
})

describe('SyncAnswerLimiter', () => {
  it.each(SEEDS)('answers a flood at most once per interval per peer, the latest request last (seed %i)', (seed) => {
    const random = seededRandom(seed)
    const clock = new VirtualClock()
    const answered: { peer: PeerId; at: number; body: number }[] = []
    const limiter = new SyncAnswerLimiter(clock, 500, (peer, sv) => answered.push({ peer, at: clock.now(), body: sv[0] ?? -1 }))
    const lastSent = new Map<PeerId, number>()
    for (let i = 0; i < 3000; i++) {
      clock.advance(Math.floor(random.next() * 3))
      const peer = random.next() < 0.5 ? A : B
      lastSent.set(peer, i % 256)
      limiter.request(peer, Uint8Array.of(i % 256))
    }
    clock.advance(1000)
    for (const peer of [A, B]) {
      const mine = answered.filter((a) => a.peer === peer)
      for (let k = 1; k < mine.length; k++) expect(mine[k]!.at - mine[k - 1]!.at, replay(seed)).toBeGreaterThanOrEqual(500)
      expect(mine.length, replay(seed)).toBeLessThanOrEqual(Math.floor(clock.now() / 500) + 1)
      expect(mine.at(-1)?.body, replay(seed)).toBe(lastSent.get(peer))
    }
    expect(limiter.coalesced, replay(seed)).toBeGreaterThan(2000)
  })

  it('answers a quiet peer at once and forgets a peer that left', () => {
    const clock = new VirtualClock()
    const answered: number[] = []
    const limiter = new SyncAnswerLimiter(clock, 500, () => answered.push(clock.now()))
    limiter.request(A, new Uint8Array())
    limiter.request(A, new Uint8Array())
    expect(answered).toEqual([0])
    limiter.forget(A)
    clock.advance(1000)
    expect(answered).toEqual([0])
    limiter.request(A, new Uint8Array())
    expect(answered).toEqual([0, 1000])
  })
})

describe('DocSync under a sync-step-1 flood', () => {
  it('sends the document at most once per syncAnswerIntervalMs (here 500 ms) to a flooding peer and still answers the last request', () => {
    const clock = new VirtualClock()
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'x'.repeat(10_000))
    const sent: Uint8Array[] = []
    const sync = new DocSync(doc, {
      send: (_to, frame) => sent.push(frame), peers: () => [A], reportError: () => undefined,
      clock, random: seededRandom(1), antiEntropyMs: 0, syncAnswerIntervalMs: 500
    })
    const step1 = new Y.Doc()
    const e = encoding.createEncoder()
    syncProtocol.writeSyncStep1(e, step1)
    const payload = encoding.toUint8Array(e)
    for (let ms = 0; ms < 10_000; ms++) {
      for (let k = 0; k < 10; k++) sync.handleSync(A, payload)
      clock.advance(1)
    }
    clock.advance(1000)
    const steps2 = sent.filter((f) => {
      const env = decodeEnvelope(f)
      return env.ok && env.value.type === MessageType.Sync && decoding.readVarUint(decoding.createDecoder(env.value.payload)) === syncProtocol.messageYjsSyncStep2
    })
    expect(steps2.length).toBeGreaterThanOrEqual(20)
    expect(steps2.length).toBeLessThanOrEqual(21)
    sync.destroy()
  })
})
