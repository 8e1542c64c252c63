import * as Y from 'yjs'

/** Options of {@link compareAll}. */
export interface CompareOptions {
  /** Root types to compare (default: every root any replica knows). */
  readonly names?: readonly string[]
  /**
   * Peers crashed without persistence, so an update may be gone for good while a later one of
   * the same client survives on some replica (it stays pending there forever). Tolerate pending
   * structs only when no replica holds what they wait for.
   */
  readonly lostUpdatesPossible?: boolean
}

/** Why {@link compareAll} failed: which replica differs from the first, and how. */
export class ConvergenceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConvergenceError'
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

function hasPending(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null
}

/**
 * Checks, thoroughly, that replicas have converged (after the model of yjs's `compare(users)`):
 * no replica holds pending structs or deletes; all have equal state vectors, equal delete sets
 * (snapshots), equal JSON of every root type; and a document rebuilt from the merged updates
 * of all of them equals each. Throws {@link ConvergenceError} naming the first difference.
 */
export function compareAll(docs: readonly Y.Doc[], options: CompareOptions = {}): void {
  if (docs.length === 0) return
  const first = docs[0] as Y.Doc
  const rebuilt = new Y.Doc()
  Y.applyUpdate(rebuilt, Y.mergeUpdates(docs.map((d) => Y.encodeStateAsUpdate(d))))
  const unrecoverable = options.lostUpdatesPossible === true && hasPending(rebuilt)
  docs.forEach((d, i) => {
    if (hasPending(d) && !unrecoverable) {
      throw new ConvergenceError(`replica ${i} still has pending structs or deletes, and the other replicas hold what it misses (a sync failed)`)
    }
  })
  const roots = options.names ?? [...new Set(docs.flatMap((d) => [...d.share.keys()]))].sort()
  const all = [...docs, rebuilt]
  const view = (d: Y.Doc): string => stableJson(roots.map((name) => [name, rootJson(d, first, name)]))
  const sv0 = hex(Y.encodeStateVector(first))
  const ds0 = hex(Y.encodeSnapshot(Y.snapshot(first)))
  const json0 = view(first)
  all.forEach((d, i) => {
    const who = i === docs.length ? 'the doc rebuilt from merged updates' : `replica ${i}`
    const sv = hex(Y.encodeStateVector(d))
    if (sv !== sv0) throw new ConvergenceError(`${who} has state vector ${sv}, replica 0 has ${sv0}`)
    const ds = hex(Y.encodeSnapshot(Y.snapshot(d)))
    if (ds !== ds0) throw new ConvergenceError(`${who} has another delete set than replica 0`)
    const json = view(d)
    if (json !== json0) throw new ConvergenceError(`${who} has content ${clip(json)}, replica 0 has ${clip(json0)}`)
  })
}

function rootJson(d: Y.Doc, model: Y.Doc, name: string): unknown {
  const type = model.share.get(name)
  if (type instanceof Y.Array) return d.getArray(name).toJSON()
  if (type instanceof Y.Text) return d.getText(name).toJSON()
  if (type instanceof Y.XmlFragment) return d.getXmlFragment(name).toJSON()
  return d.getMap(name).toJSON()
}

/** JSON with object keys sorted: Y.Map iterates in local insertion order, which replicas do not share. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)
}

function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}…` : s
}
