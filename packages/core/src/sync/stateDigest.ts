import * as Y from 'yjs'

/**
 * A 32-bit FNV-1a digest of a document's state vector and delete set. Two replicas with the
 * same digest almost surely hold the same content; a mismatch in a heartbeat triggers a sync.
 * Yjs writes both parts in sorted order, so the encoding is canonical.
 */
export function stateDigest(doc: Y.Doc): number {
  return fnv1a(Y.encodeSnapshot(Y.snapshot(doc)))
}

/** 32-bit FNV-1a over bytes. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] ?? 0
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
