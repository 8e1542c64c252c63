import * as Y from 'yjs'

/**
 * Checks a Yjs update more strictly than `Y.decodeUpdate` does, before it touches a document.
 * `decodeUpdate` accepts some updates that `applyUpdate` then fails on halfway (keeping the
 * structs before the failure): an item whose origin, right origin or parent is a later (or the
 * same) clock of its own client. Returns why the update is refused, or null if it may be applied.
 * Throws what `Y.decodeUpdate` throws for bytes that are no update at all.
 */
export function refuseUpdate(update: Uint8Array): string | null {
  const { structs } = Y.decodeUpdate(update)
  for (const s of structs) {
    if (s.length <= 0) return `struct ${s.id.client}:${s.id.clock} has length ${s.length}`
    if (!(s instanceof Y.Item)) continue
    const { client, clock } = s.id
    for (const ref of [s.origin, s.rightOrigin]) {
      if (ref !== null && ref.client === client && ref.clock >= clock) {
        return `item ${client}:${clock} refers to ${ref.client}:${ref.clock}, not an earlier item of its own client`
      }
    }
    const parent = s.parent as unknown
    if (parent instanceof Y.ID && parent.client === client && parent.clock >= clock) {
      return `item ${client}:${clock} has parent ${parent.client}:${parent.clock}, not an earlier item of its own client`
    }
  }
  return null
}

/**
 * After an exception inside a Yjs transaction's cleanup (e.g. while encoding the `update`
 * event), Yjs never resets the document's list of pending cleanups, and the document stops
 * emitting `update` and `afterTransaction` for good. Resets it; returns true if it had to.
 */
export function unwedge(doc: Y.Doc): boolean {
  const internal = doc as unknown as { _transaction: unknown; _transactionCleanups: unknown[] }
  if (internal._transaction !== null || internal._transactionCleanups.length === 0) return false
  internal._transactionCleanups = []
  return true
}
