import * as Y from 'yjs'

/** What `Y.decodeUpdate` returns: the structs and the delete set of an update. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/**
 * True if applying `decoded` to `doc` would change nothing: the document already holds every
 * struct of the update, every range its delete set deletes is already deleted, and the document
 * has no pending structs or deletions that the update could unblock. Yjs still opens a
 * transaction for such an update, and a transaction costs time proportional to the number of
 * clients in the document (Yjs takes its state vector before and after), so a peer that gets the
 * same state from several peers (a join, an anti-entropy repair) skips the copies.
 *
 * Conservative: anything it cannot prove known counts as new.
 */
export function redundantUpdate(doc: Y.Doc, decoded: DecodedUpdate): boolean {
  const store = doc.store
  if (store.pendingStructs !== null || store.pendingDs !== null) return false
  for (const s of decoded.structs) {
    if (s instanceof Y.Skip) continue
    if (s.id.clock + s.length > Y.getState(store, s.id.client)) return false
  }
  for (const [client, ranges] of decoded.ds.clients) {
    const structs = store.clients.get(client)
    for (const { clock, len } of ranges) {
      if (len <= 0) continue
      const end = clock + len
      if (structs === undefined || end > Y.getState(store, client)) return false
      for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
        const struct = structs[i]
        if (struct === undefined || struct.id.clock >= end) break
        if (!struct.deleted) return false
      }
    }
  }
  return true
}
