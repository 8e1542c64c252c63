import type { Server } from '@sship/core'
import type { OutputRecord } from './Output.js'
import { counterValue } from './counterServer.js'

/** What `report` (a `--control-stdin` command) prints: the replica's view of every request. */
export interface LedgerReport extends OutputRecord {
  readonly type: 'report'
  /** The counter in the folded server state. */
  readonly count: number
  /** Ids of requests with a canonical decision that succeeded, sorted (those only a checkpoint records count as succeeded). */
  readonly decided: readonly string[]
  /** Requests whose canonical decision is a handler error. */
  readonly failed: number
  /** Requests without a canonical decision yet. */
  readonly pending: number
  readonly coordinator: string | null
  readonly epoch: number
}

/**
 * Reads this replica's requests and their canonical decisions. With the built-in counter and only
 * `inc` requests, exactly-once means `count === decided.length` once nothing is pending.
 */
export function ledgerReport(server: Server): LedgerReport {
  const { app, ledger } = server.peer
  // Requests behind the base checkpoint: decided, and their records may be deleted from the document.
  const covered = new Set(ledger.base()?.done.ids() ?? [])
  const decided: string[] = [...covered]
  let failed = 0
  let pending = 0
  for (const id of app.requests.keys()) {
    if (covered.has(id)) continue
    const d = ledger.decisionFor(id)
    if (d === undefined) pending++
    else if (d.record.e === undefined) decided.push(id)
    else failed++
  }
  const s = server.getSnapshot()
  return {
    type: 'report', count: counterValue(server.getState()), decided: decided.sort(), failed, pending,
    coordinator: s.coordinator, epoch: s.epoch
  }
}
