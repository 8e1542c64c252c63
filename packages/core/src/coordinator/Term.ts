import type { PeerId } from '../ids/ids.js'
import type { TermRef } from '../protocol/coordinatorMessages.js'

/** The string key of a term in the document: `"<epoch>:<leader>"`. */
export type TermKey = string & { readonly __termKey: true }

/** A term's record in the document, written once by the peer that claims it. */
export interface TermRecord extends TermRef {
  /** The term this one continues (the canonical head when it was claimed), or null for the first. */
  readonly parent: TermKey | null
  /** How many of the parent's decisions this term keeps; later ones from the parent are fenced. */
  readonly parentCount: number
}

/** The key of a term. */
export function termKey(term: TermRef): TermKey {
  return `${term.epoch}:${term.leader}` as TermKey
}

/** Orders terms: by epoch, then by leader GUID. Negative if `a` is older than `b`. */
export function compareTerms(a: TermRef, b: TermRef): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch
  return a.leader < b.leader ? -1 : a.leader > b.leader ? 1 : 0
}

/** True if both refer to the same term. */
export function sameTerm(a: TermRef | null, b: TermRef | null): boolean {
  return a !== null && b !== null && a.epoch === b.epoch && a.leader === b.leader
}

/** The greater of two terms, `null` counting as the least. */
export function maxTerm<T extends TermRef>(a: T | null, b: T | null): T | null {
  if (a === null) return b
  if (b === null) return a
  return compareTerms(a, b) >= 0 ? a : b
}

/** Parses a {@link TermKey}; `undefined` if it is not one. */
export function parseTermKey(key: string): TermRef | undefined {
  const colon = key.indexOf(':')
  if (colon <= 0) return undefined
  const epoch = Number(key.slice(0, colon))
  const leader = key.slice(colon + 1)
  if (!Number.isSafeInteger(epoch) || epoch < 0 || leader.length === 0) return undefined
  return { epoch: epoch as TermRef['epoch'], leader: leader as PeerId }
}
