import { MAX_EPOCH, type PeerId } from '../ids/ids.js'
import type { TermRef } from '../protocol/coordinatorMessages.js'

/** The string key of a term in the document: `"<epoch>:<leader>:<nonce in base 36>"`. */
export type TermKey = string & { readonly __termKey: true }

/** A term's record in the document, written once by the peer that claims it. */
export interface TermRecord extends TermRef {
  /** The term this one continues (the canonical head when it was claimed), or null for the first. */
  readonly parent: TermKey | null
  /** How many of the parent's decisions this term keeps; later ones from the parent are fenced. */
  readonly parentCount: number
  /**
   * Older terms of the chain whose kept decisions the claimer did not all hold: it keeps only
   * the first `cuts[term]`, so what it decides never depends on decisions it could not see.
   */
  readonly cuts?: Readonly<Record<string, number>>
  /** Terms at which the chain stops: the claimer lacked their records, so older terms are fenced. */
  readonly roots?: readonly string[]
  /** The app instance the term belongs to (absent: an app from before instances, id `''`). */
  readonly i?: string
}

/** The key of a term. */
export function termKey(term: TermRef): TermKey {
  return `${term.epoch}:${term.leader}:${term.nonce.toString(36)}` as TermKey
}

/** Orders terms: by epoch, then leader GUID, then nonce. Negative if `a` is older than `b`. */
export function compareTerms(a: TermRef, b: TermRef): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch
  if (a.leader !== b.leader) return a.leader < b.leader ? -1 : 1
  return a.nonce - b.nonce
}

/** True if both refer to the same term. */
export function sameTerm(a: TermRef | null, b: TermRef | null): boolean {
  return a !== null && b !== null && a.epoch === b.epoch && a.leader === b.leader && a.nonce === b.nonce
}

/** The greater of two terms, `null` counting as the least. */
export function maxTerm<T extends TermRef>(a: T | null, b: T | null): T | null {
  if (a === null) return b
  if (b === null) return a
  return compareTerms(a, b) >= 0 ? a : b
}

/** Parses a {@link TermKey}; `undefined` if it is not one. */
export function parseTermKey(key: string): TermRef | undefined {
  const first = key.indexOf(':')
  const last = key.lastIndexOf(':')
  if (first <= 0 || last <= first + 1) return undefined
  const epoch = Number(key.slice(0, first))
  const leader = key.slice(first + 1, last)
  const nonceText = key.slice(last + 1)
  const nonce = parseInt(nonceText, 36)
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH || !/^[0-9a-z]{1,7}$/.test(nonceText) || nonce.toString(36) !== nonceText) return undefined
  return { epoch: epoch as TermRef['epoch'], leader: leader as PeerId, nonce }
}
