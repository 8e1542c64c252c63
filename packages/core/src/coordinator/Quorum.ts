import type { PeerId } from '../ids/ids.js'
import type { TermRef } from '../protocol/coordinatorMessages.js'
import { compareTerms } from './Term.js'

/**
 * How many of `n` eligible peers make a majority: never fewer than two. A peer alone is no
 * quorum: one that started without the document while cut off from the others cannot tell an
 * app of its own from the established one, and must not commit anything the established app
 * would later re-decide. So a quorum-mode app decides once two eligible peers are up.
 */
export function majority(n: number): number {
  return Math.floor(Math.max(n, 2) / 2) + 1
}

/**
 * The commit index: the largest `c` such that at least `needed` of `counts` are ≥ `c`
 * (each count is how many decisions of the term one eligible peer holds).
 */
export function commitIndex(counts: readonly number[], needed: number): number {
  if (needed <= 0) return Math.max(0, ...counts)
  const sorted = [...counts].sort((a, b) => b - a)
  return sorted[needed - 1] ?? 0
}

/**
 * A voter's memory in quorum mode: at most one vote per epoch, never for a term older than
 * one it already voted for. Granting a vote is a promise, so it is kept for the peer's life.
 */
export class VoteBook {
  private last: TermRef | null = null

  /** Grants a vote for `term` if no other candidate got this epoch's vote and nothing newer was voted for. */
  grant(term: TermRef): boolean {
    const last = this.last
    if (last !== null) {
      if (term.epoch < last.epoch) return false
      if (term.epoch === last.epoch && compareTerms(term, last) !== 0) return false
    }
    this.last = term
    return true
  }

  /** The term this peer last voted for. */
  lastVote(): TermRef | null {
    return this.last
  }
}

/** True if `peers` (eligible ones, `self` included) form a majority of `eligible`. */
export function isMajority(peers: Iterable<PeerId>, eligible: readonly PeerId[]): boolean {
  const set = new Set(eligible)
  let n = 0
  for (const p of peers) if (set.has(p)) n++
  return n >= majority(eligible.length)
}
