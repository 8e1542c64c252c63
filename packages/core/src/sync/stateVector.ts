import * as Y from 'yjs'

/** The document's encoded state vector. */
export function encode(doc: Y.Doc): Uint8Array {
  return Y.encodeStateVector(doc)
}

/** What `doc` has beyond `stateVector`, or `undefined` if the state vector is malformed. */
export function diffUpdate(doc: Y.Doc, stateVector: Uint8Array): Uint8Array | undefined {
  try {
    return Y.encodeStateAsUpdate(doc, stateVector)
  } catch {
    return undefined
  }
}
