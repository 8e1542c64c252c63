import type { Peer } from '@sship/core/internals'
import type * as Y from 'yjs'
import { classifyTransaction, sshipRoots } from './classifyTransaction.js'
import { emptyTraffic, TrafficCategory, type Traffic } from './Traffic.js'

const LIVENESS = new Set(['Heartbeat', 'HeartbeatAck', 'View', 'Digest'])
const SYNC = new Set(['Sync', 'Awareness'])

/**
 * Counts the bytes one sship peer sends, by {@link TrafficCategory}. Message types give
 * liveness and control; sync frames are attributed to the transaction whose update they carry
 * (Yjs emits `afterTransactionCleanup` just before `update`, and this listener runs after
 * sship's own broadcast), and sync frames sent outside any update (steps 1 and 2) are repair.
 * Attach it right after the peer is built, before it makes local changes.
 */
export class PeerTraffic {
  private readonly attributed = emptyTraffic()
  private mark = 0

  constructor(readonly peer: Peer) {
    const doc = peer.doc
    doc.on('afterTransactionCleanup', () => {
      this.mark = this.syncOut()
    })
    doc.on('update', (_update: Uint8Array, _origin: unknown, _doc: unknown, tr: Y.Transaction) => {
      const delta = this.syncOut() - this.mark
      if (delta > 0) this.attributed[classifyTransaction(tr, sshipRoots)] += delta
      this.mark = this.syncOut()
    })
  }

  /** Bytes sent so far, by category. */
  snapshot(): Traffic {
    const out = emptyTraffic()
    let sync = 0
    for (const [type, bytes] of Object.entries(this.peer.stats.bytesOutByType)) {
      if (SYNC.has(type)) sync += bytes
      else if (LIVENESS.has(type)) out.liveness += bytes
      else out.control += bytes
    }
    const attributed = this.attributed.data + this.attributed.requests + this.attributed.control
    out.data = this.attributed.data
    out.requests = this.attributed.requests
    out.control += this.attributed.control
    out[TrafficCategory.Repair] = sync - attributed
    return out
  }

  private syncOut(): number {
    return this.peer.stats.bytesOutByType.Sync ?? 0
  }
}
