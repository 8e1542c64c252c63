import * as Y from 'yjs'
import { parseDecisionKey } from './decisionKeys.js'
import { parseTermKey } from './Term.js'

/**
 * How many of one sender session's requests share a bucket. Only full buckets are deleted (the
 * sender may still be writing into the last one), so up to this many stay per session; each
 * deleted bucket leaves a tombstone of about 40 bytes.
 */
export const REQUEST_BUCKET = 32
/** How many of one term's decisions share a bucket (the same trade-off, for the coordinator). */
export const DECISION_BUCKET = 32

/** Prefix of a signature's key inside a bucket: `~` + the signed entry's key. */
const SIG = '~'

/**
 * Where requests, decisions and their signatures live in the document: nested `Y.Map` buckets
 * under `sship.log`, so that history behind a checkpoint can be deleted whole. Yjs keeps a
 * tombstone (with its key) for every deleted map entry, but a deleted nested map's content
 * collapses into one garbage-collected range per client: deleting buckets bounds the document,
 * deleting keys one by one does not (see docs/history.md).
 *
 * Each bucket has exactly one writer, so two peers never create the same bucket concurrently
 * (Yjs would keep only one of them): `r|<sender>/<session>|<n>` holds requests `n·256 …` of one
 * connection session, `d|<term>|<n>` decisions `n·256 …` of one term. A bucket is deleted only
 * when everything in it is behind a stable checkpoint (see `checkpoint/Compactor.ts`).
 *
 * Documents written before buckets keep their top-level `sship.requests`, `sship.decisions`
 * and `sship.sigs`; they are read as before (and are where term signatures stay).
 */
export class EntryLog {
  /** Buckets by name. */
  readonly buckets: Y.Map<Y.Map<unknown>>

  constructor(doc: Y.Doc) {
    this.buckets = doc.getMap('sship.log') as Y.Map<Y.Map<unknown>>
  }

  /** The bucket a request id belongs to (ids are `<sender>/<session>.<seq>`). */
  static requestBucket(id: string): string {
    const dot = id.lastIndexOf('.')
    const seq = dot > 0 ? Number(id.slice(dot + 1)) : NaN
    if (!Number.isSafeInteger(seq) || seq < 0 || id.indexOf('/') <= 0) return 'r|~|0'
    return `r|${id.slice(0, dot)}|${Math.floor(seq / REQUEST_BUCKET)}`
  }

  /** The bucket a decision key belongs to. */
  static decisionBucket(key: string): string {
    const at = parseDecisionKey(key)
    return at === undefined ? 'd|~|0' : `d|${at.term}|${Math.floor(at.seq / DECISION_BUCKET)}`
  }

  /** The bucket that holds entry `key`'s signature, or undefined for a term (its signature stays top-level). */
  static signatureBucket(key: string): string | undefined {
    if (parseDecisionKey(key) !== undefined) return EntryLog.decisionBucket(key)
    if (parseTermKey(key) !== undefined) return undefined
    return EntryLog.requestBucket(key)
  }

  /** Reads `key` from bucket `name`. */
  get(name: string, key: string): unknown {
    return this.buckets.get(name)?.get(key)
  }

  /** Writes `key` into bucket `name`, creating the bucket (only its single writer does). */
  set(name: string, key: string, value: unknown): void {
    let bucket = this.buckets.get(name)
    if (bucket === undefined) {
      bucket = new Y.Map<unknown>()
      this.buckets.set(name, bucket)
    }
    bucket.set(key, value)
  }

  /** Entries (signatures excluded) of every bucket whose name starts with `kind` (`r` or `d`). */
  *entries(kind: 'r' | 'd'): Generator<[string, unknown]> {
    for (const [name, bucket] of this.buckets) {
      if (name[0] !== kind || !(bucket instanceof Y.Map)) continue
      for (const [k, v] of bucket) if (!k.startsWith(SIG)) yield [k, v]
    }
  }

  /**
   * What transaction `tr` changed in the buckets: request ids, decision keys and signed entry
   * keys. A bucket created in the transaction counts with all its content (Yjs lists only the
   * parent's key then); a deleted bucket counts with nothing (its entries stay known to whoever
   * read them).
   */
  changes(tr: Y.Transaction): { requests: Set<string>; decisions: Set<string>; signatures: Set<string> } | undefined {
    let out: { requests: Set<string>; decisions: Set<string>; signatures: Set<string> } | undefined
    const add = (kind: string, key: string): void => {
      out ??= { requests: new Set(), decisions: new Set(), signatures: new Set() }
      if (key.startsWith(SIG)) out.signatures.add(key.slice(SIG.length))
      else if (kind === 'r') out.requests.add(key)
      else if (kind === 'd') out.decisions.add(key)
    }
    for (const [type, keys] of tr.changed) {
      if (type === (this.buckets as unknown)) {
        for (const name of keys) {
          const bucket = name === null ? undefined : this.buckets.get(name)
          if (name === null || !(bucket instanceof Y.Map)) continue
          for (const k of bucket.keys()) add(name[0] ?? '', k)
        }
        continue
      }
      const item = type._item
      if (item === null || item.parent !== (this.buckets as unknown) || typeof item.parentSub !== 'string') continue
      const kind = item.parentSub[0] ?? ''
      for (const k of keys) if (k !== null) add(kind, k)
    }
    return out
  }

  /** Deletes the buckets named. */
  delete(names: Iterable<string>): void {
    for (const name of names) this.buckets.delete(name)
  }

  /** Signature key of entry `key` inside its bucket. */
  static sigKey(key: string): string {
    return SIG + key
  }
}

/**
 * A map-like view of one kind of entry (requests, decisions or signatures) across the buckets
 * and the top-level map of documents written before buckets.
 */
export class EntryView {
  constructor(
    private readonly log: EntryLog,
    private readonly legacy: Y.Map<unknown>,
    private readonly bucketOf: (key: string) => string | undefined,
    private readonly kind: 'r' | 'd' | 's'
  ) {}

  private inner(key: string): string {
    return this.kind === 's' ? EntryLog.sigKey(key) : key
  }

  /** The entry's value (a bucket's first, then the legacy map's). */
  get(key: string): unknown {
    const name = this.bucketOf(key)
    const v = name === undefined ? undefined : this.log.get(name, this.inner(key))
    return v !== undefined ? v : this.legacy.get(key)
  }

  /** True if the entry exists. */
  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  /** Writes the entry into its bucket (or the legacy map for term signatures). */
  set(key: string, value: unknown): void {
    const name = this.bucketOf(key)
    if (name === undefined) this.legacy.set(key, value)
    else this.log.set(name, this.inner(key), value)
  }

  /** Every entry, buckets first (signatures: the legacy map only). */
  *entries(): Generator<[string, unknown]> {
    if (this.kind !== 's') yield* this.log.entries(this.kind)
    yield* this.legacy.entries()
  }

  /** Every key. */
  *keys(): Generator<string> {
    for (const [k] of this.entries()) yield k
  }
}
