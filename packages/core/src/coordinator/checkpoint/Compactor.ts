import type { AppDoc } from '../AppDoc.js'
import { DECISION_BUCKET, REQUEST_BUCKET } from '../EntryLog.js'
import type { BaseCheckpoint, Ledger } from '../Ledger.js'

/**
 * The buckets of the document that a stable checkpoint makes unnecessary, so the coordinator may
 * delete them (and Yjs garbage-collect their content):
 * - decision buckets of terms older than the checkpoint's on the canonical chain, and of the
 *   checkpoint's own term wholly before it (a replica folds from the checkpoint, never from them);
 * - request buckets whose every request the checkpoint records as decided (never decided again).
 *
 * Kept: everything after the checkpoint, the terms off the canonical chain (a fenced coordinator's
 * decisions: their conflicts are reported from them), and request buckets with anything
 * undecided (a sender may still be writing into a partly filled one). "Stable" is the caller's
 * to judge: a checkpoint every member holds (availability) or a majority holds (quorum), so no
 * later term can be claimed on a prefix without it.
 */
export function deletableBuckets(app: AppDoc, ledger: Ledger, base: BaseCheckpoint): string[] {
  const behind = ledger.termsBehindBase()
  const out: string[] = []
  for (const name of app.log.buckets.keys()) {
    const bar = name.lastIndexOf('|')
    const first = name.indexOf('|')
    if (first < 0 || bar <= first) continue
    const owner = name.slice(first + 1, bar)
    const n = Number(name.slice(bar + 1))
    if (!Number.isSafeInteger(n) || n < 0) continue
    if (name[0] === 'd') {
      if (behind.has(owner as BaseCheckpoint['term'])) out.push(name)
      else if (owner === base.term && (n + 1) * DECISION_BUCKET <= base.seq) out.push(name)
    } else if (name[0] === 'r') {
      if (base.done.hasRange(owner, n * REQUEST_BUCKET, (n + 1) * REQUEST_BUCKET - 1)) out.push(name)
    }
  }
  return out
}
