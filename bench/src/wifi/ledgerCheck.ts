/** One acknowledged `inc` of `sship join --send-every`: its request id, the coordinator that decided it, the counter value it got. */
export interface AckRecord {
  readonly id: string
  readonly by: string
  readonly count: number
}

/** A replica's final view of the request history (`report` of `sship join --control-stdin`). */
export interface FinalLedger {
  /** The counter in the folded server state. */
  readonly count: number
  /** Ids of requests with a canonical decision that succeeded. */
  readonly decided: readonly string[]
}

/** Lost, duplicated and doubly acknowledged requests of one run. */
export interface LedgerCheck {
  readonly acked: number
  /** Acknowledged requests missing from the final history. */
  readonly lost: number
  /** Increments applied more than once: the counter minus the decided requests (0 if not above). */
  readonly duplicates: number
  /** Counter values acknowledged to two requests by two different coordinators (both told "final"). */
  readonly doubleAcked: number
}

/**
 * Judges a run by its public output only: every ack a producer printed against the final ledger.
 * With the built-in counter, exactly-once means `count === decided.length`; an acknowledged value
 * handed to two requests by two coordinators is what two TAs calling the same student looks like.
 */
export function checkLedger(acks: readonly AckRecord[], final: FinalLedger): LedgerCheck {
  const decided = new Set(final.decided)
  const lost = new Set(acks.filter((a) => !decided.has(a.id)).map((a) => a.id)).size
  const byValue = new Map<number, Set<string>>()
  for (const a of acks) {
    const set = byValue.get(a.count) ?? new Set<string>()
    set.add(a.by)
    byValue.set(a.count, set)
  }
  let doubleAcked = 0
  for (const set of byValue.values()) if (set.size > 1) doubleAcked++
  return { acked: acks.length, lost, duplicates: Math.max(0, final.count - decided.size), doubleAcked }
}
