import type { Answer } from 'dns-packet'
import { SERVICE_TYPE } from './serviceRecords.js'

/**
 * RFC 6762 known-answer suppression (§7.1) for the one question sship asks
 * (`PTR _sship._tcp.local`), as pure functions over records: what a querier lists as already
 * known, and whether a responder may stay silent.
 */

/** One cached PTR answer a querier knows. */
export interface KnownInstance {
  /** The instance the PTR points at (lower case). */
  readonly instance: string
  /** When the record was last received (clock ms). */
  readonly receivedAt: number
  /** The TTL it was received with, in seconds. */
  readonly ttlSeconds: number
}

/**
 * RFC 6762 §17 allows mDNS packets up to 9000 bytes. A PTR known answer for a GUID label takes
 * about 90 bytes (dns-packet does not compress names), so 80 answers stay well below it; a
 * larger room lists the freshest 80 and the rest answer, which costs frames but not correctness.
 */
export const MAX_KNOWN_ANSWERS = 80

/**
 * The known-answer section of a browse query at `now`: every cached instance whose record has
 * more than half its TTL left (§7.1: a record nearer its expiry is listed as unknown so that its
 * owner refreshes it), with the remaining TTL.
 */
export function knownAnswerSection(known: Iterable<KnownInstance>, now: number): Answer[] {
  const fresh: { instance: string; remaining: number; ttl: number }[] = []
  for (const k of known) {
    const remaining = k.ttlSeconds - (now - k.receivedAt) / 1000
    if (remaining > k.ttlSeconds / 2) fresh.push({ instance: k.instance, remaining, ttl: k.ttlSeconds })
  }
  fresh.sort((a, b) => b.remaining - a.remaining)
  return fresh.slice(0, MAX_KNOWN_ANSWERS).map((f) => ({ name: SERVICE_TYPE, type: 'PTR', ttl: Math.floor(f.remaining), data: f.instance }))
}

/** The instances a query's known-answer section lists (PTRs of the sship service type only). */
export function listedInstances(knownAnswers: readonly Answer[]): Set<string> {
  const out = new Set<string>()
  for (const a of knownAnswers) {
    if (a.type === 'PTR' && a.name.toLowerCase() === SERVICE_TYPE && typeof a.data === 'string') out.add(a.data.toLowerCase())
  }
  return out
}

/**
 * True if a responder owning `instance` (records of TTL `ttlSeconds`) must not answer a query
 * with these known answers: the querier lists our PTR with at least half our TTL left (§7.1).
 */
export function suppressedByKnownAnswers(knownAnswers: readonly Answer[], instance: string, ttlSeconds: number): boolean {
  const name = instance.toLowerCase()
  return knownAnswers.some((a) =>
    a.type === 'PTR' && a.name.toLowerCase() === SERVICE_TYPE && typeof a.data === 'string' &&
    a.data.toLowerCase() === name && (a.ttl ?? 0) >= ttlSeconds / 2)
}

/**
 * Duplicate-question suppression (§7.3): another host's query for the same question makes ours
 * redundant when its known answers list nothing we would not list ourselves — every answer
 * that query draws out is one we would have drawn out too.
 */
export function coversOurQuery(theirKnownAnswers: readonly Answer[], ourKnownAnswers: readonly Answer[]): boolean {
  const ours = listedInstances(ourKnownAnswers)
  for (const instance of listedInstances(theirKnownAnswers)) if (!ours.has(instance)) return false
  return true
}
