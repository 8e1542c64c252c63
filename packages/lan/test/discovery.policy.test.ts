import { asPeerId } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { VirtualClock } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import { AnswerAggregator } from '../src/discovery/AnswerAggregator.js'
import { QueryBackoff } from '../src/discovery/QueryBackoff.js'
import { RecordCache } from '../src/discovery/RecordCache.js'
import { coversOurQuery, knownAnswerSection, MAX_KNOWN_ANSWERS, suppressedByKnownAnswers } from '../src/discovery/knownAnswers.js'
import { SERVICE_TYPE } from '../src/discovery/serviceRecords.js'

const SEED = 17
const ptr = (instance: string, ttl: number) => ({ name: SERVICE_TYPE, type: 'PTR' as const, ttl, data: instance })

describe('known-answer suppression (RFC 6762 §7.1)', () => {
  it('lists only records with more than half their TTL left, with the remaining TTL', () => {
    const known = [
      { instance: 'a._sship._tcp.local', receivedAt: 0, ttlSeconds: 120 },
      { instance: 'b._sship._tcp.local', receivedAt: -70_000, ttlSeconds: 120 }
    ]
    expect(knownAnswerSection(known, 10_000)).toEqual([ptr('a._sship._tcp.local', 110)])
  })

  it('caps the section so one query stays inside a 9000-byte mDNS packet', () => {
    const known = Array.from({ length: 200 }, (_, i) => ({ instance: `p${i}._sship._tcp.local`, receivedAt: i, ttlSeconds: 120 }))
    expect(knownAnswerSection(known, 200)).toHaveLength(MAX_KNOWN_ANSWERS)
  })

  it('a responder stays silent only when its PTR is listed with at least half its TTL', () => {
    expect(suppressedByKnownAnswers([ptr('A._sship._tcp.local', 60)], 'a._sship._tcp.local', 120)).toBe(true)
    expect(suppressedByKnownAnswers([ptr('a._sship._tcp.local', 59)], 'a._sship._tcp.local', 120)).toBe(false)
    expect(suppressedByKnownAnswers([ptr('b._sship._tcp.local', 120)], 'a._sship._tcp.local', 120)).toBe(false)
    expect(suppressedByKnownAnswers([{ name: 'other._tcp.local', type: 'PTR', ttl: 120, data: 'a._sship._tcp.local' }], 'a._sship._tcp.local', 120)).toBe(false)
  })

  it("another's query covers ours only if it lists nothing we would not list (§7.3)", () => {
    const ours = [ptr('a', 100), ptr('b', 100)]
    expect(coversOurQuery([], ours)).toBe(true)
    expect(coversOurQuery([ptr('a', 100)], ours)).toBe(true)
    expect(coversOurQuery([ptr('a', 100), ptr('c', 100)], ours)).toBe(false)
  })
})

describe('query backoff (§5.2)', () => {
  it('starts after 20–120 ms, then doubles from 1 s to the ceiling, and can start over', () => {
    const b = new QueryBackoff(seededRandom(SEED), { maxIntervalMs: 10_000 })
    const first = b.initialDelayMs()
    expect(first).toBeGreaterThanOrEqual(20)
    expect(first).toBeLessThan(120)
    expect(Array.from({ length: 6 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000])
    b.reset()
    expect(b.next()).toBe(1000)
  })

  it('defaults to a one-hour ceiling', () => {
    const b = new QueryBackoff(seededRandom(SEED))
    let last = 0
    for (let i = 0; i < 30; i++) last = b.next()
    expect(last).toBe(3_600_000)
  })
})

describe('answer aggregation (§6)', () => {
  it('answers a burst of queries once, 20–120 ms later, and never twice within a second', () => {
    const clock = new VirtualClock()
    const sent: number[] = []
    const a = new AnswerAggregator(clock, seededRandom(SEED), () => sent.push(clock.now()))
    for (let i = 0; i < 50; i++) a.request()
    clock.advance(200)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toBeGreaterThanOrEqual(20)
    a.request()
    clock.advance(200)
    expect(sent).toHaveLength(1)
    clock.advance(1000)
    expect(sent).toHaveLength(2)
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(1000)
  })

  it('counts an announcement for the rate limit, and cancel() drops a pending answer', () => {
    const clock = new VirtualClock()
    const sent: number[] = []
    const a = new AnswerAggregator(clock, seededRandom(SEED), () => sent.push(clock.now()))
    a.sent()
    a.request()
    clock.advance(900)
    expect(sent).toEqual([])
    a.cancel()
    clock.advance(5000)
    expect(sent).toEqual([])
  })
})

describe('record cache', () => {
  it('asks again at 80–82 % of the TTL, then in 5 % steps, and expires at the TTL', () => {
    const cache = new RecordCache(() => 0.5)
    const peer = asPeerId('a')
    expect(cache.put({ peerId: peer, host: '127.0.0.1', port: 1 }, 'a._sship._tcp.local', 100, 0)).toBe(true)
    expect(cache.put({ peerId: peer, host: '127.0.0.1', port: 1 }, 'a._sship._tcp.local', 100, 0)).toBe(false)
    expect(cache.nextDeadline()).toBe(81_000)
    expect(cache.refreshDue(80_999)).toBe(false)
    expect(cache.refreshDue(81_000)).toBe(true)
    expect(cache.knownAnswers(81_000)).toEqual([])
    cache.queried(81_000, undefined)
    expect(cache.nextDeadline()).toBe(86_000)
    // Another peer's query that lists the record does not count as asking for it.
    cache.queried(86_000, new Set(['a._sship._tcp.local']))
    expect(cache.nextDeadline()).toBe(86_000)
    expect(cache.expire(99_999)).toEqual([])
    expect(cache.expire(100_000)).toEqual([peer])
    expect(cache.entries()).toEqual([])
  })
})
