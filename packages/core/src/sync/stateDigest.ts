import * as Y from 'yjs'
import { fnv1a32 } from './fnv1a32.js'

/**
 * A 32-bit FNV-1a digest of a document's state vector and delete set. Two replicas with the
 * same digest almost surely hold the same content; a mismatch in a heartbeat triggers a sync.
 * Yjs writes both parts in sorted order, so the encoding is canonical.
 */
export function stateDigest(doc: Y.Doc): number {
  return fnv1a32(Y.encodeSnapshot(Y.snapshot(doc)))
}
