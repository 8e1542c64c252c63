import type { CliRecord as JoinRecord } from '@sship/lan/testing'

/** What the soak measured about requests, terms and the final replicas. */
export interface Tally {
  /** Distinct request ids the soak learned of: acknowledged, failed, or in a final ledger. */
  readonly sent: number
  /** Distinct acknowledged request ids, over every life of every producer. */
  readonly acked: number
  /** Acknowledged ids missing from the final ledger, plus decided requests the counter lacks. */
  readonly lost: number
  /** Ids acknowledged twice, acks sharing a reply count, plus counter increments beyond the decided requests. */
  readonly duplicates: number
  /** Every final report has the same counter, the same decided ids, the same term, and nothing pending. */
  readonly converged: boolean
  /** Distinct settled terms (epochs with a coordinator, no failover in progress) seen, minus the first. */
  readonly failovers: number
  readonly sendFailed: number
  readonly counter: number
  readonly decided: number
}

interface Ack {
  readonly id: string
  readonly count: number | undefined
}

const key = (r: JoinRecord): string => JSON.stringify([r.count, r.decided, r.coordinator, r.epoch])

/**
 * Exactly-once accounting, with the reasoning of packages/lan/test/cli.failover.test.ts: with the
 * built-in counter and only `inc` requests, the final counter must equal the number of decided
 * requests, every acknowledged request must be decided, acknowledged once, with a reply count no
 * other ack got. `records` holds every record of every life; `reports` one final report per peer.
 * Pure.
 */
export function tally(records: readonly JoinRecord[], reports: readonly (JoinRecord | undefined)[]): Tally {
  const acks: Ack[] = records.filter((r) => r.type === 'ack').map((r) => {
    const reply = r.reply as { count?: unknown } | null
    return { id: String(r.id), count: typeof reply?.count === 'number' ? reply.count : undefined }
  })
  const failedIds = records.filter((r) => r.type === 'send-failed').map((r) => String(r.id))

  // The reference ledger: the report most peers agree on (all of them when converged).
  const groups = new Map<string, JoinRecord[]>()
  for (const r of reports) if (r !== undefined) groups.set(key(r), [...(groups.get(key(r)) ?? []), r])
  const reference = [...groups.values()].sort((a, b) => b.length - a.length)[0]?.[0]
  const decided = new Set((reference?.decided as string[] | undefined) ?? [])
  const counter = typeof reference?.count === 'number' ? reference.count : 0
  const converged = reference !== undefined && reports.every((r) => r !== undefined && key(r) === key(reference) && r.pending === 0)

  const ackIds = new Set(acks.map((a) => a.id))
  const firstAckOf = new Map<string, Ack>()
  for (const a of acks) if (!firstAckOf.has(a.id)) firstAckOf.set(a.id, a)
  const counts = [...firstAckOf.values()].map((a) => a.count)
  const repeatedCounts = counts.length - new Set(counts).size
  const lost = [...ackIds].filter((id) => !decided.has(id)).length + Math.max(0, decided.size - counter)
  const duplicates = (acks.length - ackIds.size) + repeatedCounts + Math.max(0, counter - decided.size)

  const terms = new Set<number>()
  for (const r of records) {
    if (r.type === 'status' && r.coordinator !== null && r.failoverInProgress === false && typeof r.epoch === 'number') terms.add(r.epoch)
  }
  const known = new Set([...ackIds, ...failedIds, ...decided])
  const sent = known.size + (typeof reference?.failed === 'number' ? reference.failed : 0) + (typeof reference?.pending === 'number' ? reference.pending : 0)
  return {
    sent, acked: ackIds.size, lost, duplicates, converged, failovers: Math.max(0, terms.size - 1),
    sendFailed: new Set(failedIds).size, counter, decided: decided.size
  }
}
