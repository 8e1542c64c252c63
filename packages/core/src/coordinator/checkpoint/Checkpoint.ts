import type { Json, JsonObject } from '../json.js'

/** How many decisions a coordinator writes between two checkpoints, by default. */
export const DEFAULT_CHECKPOINT_EVERY = 1000
/** A checkpoint is also written once the history since the last one is about this many bytes (or twice the state, if larger). */
export const CHECKPOINT_BYTES = 48 * 1024

/**
 * A checkpoint as stored in the field `c` of an empty decision: the server state folded from
 * every canonical decision before it, and which requests those decisions answered. A replica
 * folds from the newest checkpoint its canonical chain keeps, so history behind it may be
 * deleted; the checkpoint is fenced exactly like the decision that carries it.
 */
export interface CheckpointRecord {
  /** The server state after every decision before this one. */
  readonly state: JsonObject
  /** The requests decided before it (see {@link DoneMarks}). */
  readonly done: DoneRecord
  /** The newest answers per sender session (see {@link RecentReplies}). */
  readonly replies?: RepliesRecord
  /** How many canonical decisions the history held before it (the instance's weight, see `Ledger.chooseInstance`). */
  readonly n?: number
}

/** Stored answers: by request id, `[decision key, reply?, error?]`; `age` counts checkpoints since a session's last decision. */
export interface RepliesRecord {
  readonly r: Readonly<Record<string, readonly [string, Json?, string?]>>
  readonly age: Readonly<Record<string, number>>
}

/** How many answers per sender session a checkpoint keeps. */
const REPLIES_PER_SESSION = 16
/** After how many checkpoints without a decision a session's answers are dropped. */
const REPLIES_MAX_AGE = 8

/**
 * Decided requests, compactly: per sender session (`<sender>/<session>`, the id before its
 * last `.`), `[h, ...above]` — every sequence number ≤ h is decided (−1: none), and the listed
 * ones above it too. Ids of another shape are listed whole in `odd`.
 */
export interface DoneRecord {
  readonly s: Readonly<Record<string, readonly number[]>>
  readonly odd?: readonly string[]
}

interface SessionMarks {
  h: number
  above: Set<number>
}

function split(id: string): { session: string; seq: number } | undefined {
  const dot = id.lastIndexOf('.')
  if (dot <= 0 || id.indexOf('/') <= 0) return undefined
  const text = id.slice(dot + 1)
  const seq = Number(text)
  if (!Number.isSafeInteger(seq) || seq < 0 || String(seq) !== text) return undefined
  return { session: id.slice(0, dot), seq }
}

/**
 * The set of decided request ids, bounded by senders rather than by requests: senders number
 * their requests, and a coordinator decides them nearly in order, so a high-water mark per
 * session and a few exceptions above it describe the set.
 */
export class DoneMarks {
  private readonly sessions = new Map<string, SessionMarks>()
  private readonly odd = new Set<string>()

  /** Adds request `id`. */
  add(id: string): void {
    const at = split(id)
    if (at === undefined) {
      this.odd.add(id)
      return
    }
    let m = this.sessions.get(at.session)
    if (m === undefined) this.sessions.set(at.session, (m = { h: -1, above: new Set() }))
    if (at.seq <= m.h) return
    m.above.add(at.seq)
    while (m.above.delete(m.h + 1)) m.h++
  }

  /** True if request `id` is in the set. */
  has(id: string): boolean {
    const at = split(id)
    if (at === undefined) return this.odd.has(id)
    const m = this.sessions.get(at.session)
    return m !== undefined && (at.seq <= m.h || m.above.has(at.seq))
  }

  /** True if every request of `session` numbered `from` … `to` (inclusive) is in the set. */
  hasRange(session: string, from: number, to: number): boolean {
    const m = this.sessions.get(session)
    if (m === undefined) return false
    for (let seq = Math.max(from, m.h + 1); seq <= to; seq++) if (!m.above.has(seq)) return false
    return true
  }

  /** Every request id in the set (a request's record may be deleted behind the checkpoint; its id is not lost). */
  ids(): string[] {
    const out: string[] = []
    for (const [session, m] of this.sessions) {
      for (let seq = 0; seq <= m.h; seq++) out.push(`${session}.${seq}`)
      for (const seq of m.above) out.push(`${session}.${seq}`)
    }
    out.push(...this.odd)
    return out
  }

  /** A copy. */
  clone(): DoneMarks {
    const out = new DoneMarks()
    for (const [s, m] of this.sessions) out.sessions.set(s, { h: m.h, above: new Set(m.above) })
    for (const id of this.odd) out.odd.add(id)
    return out
  }

  /** The stored form. */
  toRecord(): DoneRecord {
    const s: Record<string, number[]> = {}
    for (const [session, m] of this.sessions) s[session] = [m.h, ...[...m.above].sort((a, b) => a - b)]
    return this.odd.size > 0 ? { s, odd: [...this.odd] } : { s }
  }

  /** Reads a stored form; undefined if malformed. */
  static fromRecord(value: unknown): DoneMarks | undefined {
    if (typeof value !== 'object' || value === null) return undefined
    const { s, odd } = value as { s?: unknown; odd?: unknown }
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return undefined
    if (odd !== undefined && (!Array.isArray(odd) || !odd.every((o) => typeof o === 'string'))) return undefined
    const out = new DoneMarks()
    for (const [session, marks] of Object.entries(s)) {
      if (!Array.isArray(marks) || marks.length === 0 || !marks.every((n) => Number.isSafeInteger(n) && n >= -1)) return undefined
      const [h, ...above] = marks as number[]
      out.sessions.set(session, { h: h as number, above: new Set(above.filter((n) => n > (h as number))) })
    }
    for (const id of (odd ?? []) as string[]) out.odd.add(id)
    return out
  }
}

/** Reads the checkpoint a decision carries; undefined if it carries none or a malformed one. */
export function readCheckpoint(value: unknown): { state: JsonObject; done: DoneMarks; replies: unknown; n: number } | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { state, done, replies, n } = value as { state?: unknown; done?: unknown; replies?: unknown; n?: unknown }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return undefined
  const marks = DoneMarks.fromRecord(done)
  return marks === undefined ? undefined : { state: state as JsonObject, done: marks, replies, n: typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0 }
}

/**
 * The newest answers of each sender session, carried from checkpoint to checkpoint so that a
 * sender that was away while its requests were decided and their decisions compacted still gets
 * its replies (as Raft keeps each client's latest response with its snapshot). A sender away has
 * no new requests in flight, so the newest few of each session are the ones it can miss; a
 * session quiet for several checkpoints is forgotten.
 */
export class RecentReplies {
  private readonly bySession = new Map<string, Map<number, readonly [string, Json?, string?]>>()
  private readonly age = new Map<string, number>()

  /** Continues from a stored form, one checkpoint older (malformed parts are skipped). */
  static after(record: unknown): RecentReplies {
    const out = new RecentReplies()
    if (typeof record !== 'object' || record === null) return out
    const { r, age } = record as { r?: unknown; age?: unknown }
    const ages = typeof age === 'object' && age !== null ? (age as Record<string, unknown>) : {}
    for (const [session, a] of Object.entries(ages)) if (typeof a === 'number' && a + 1 <= REPLIES_MAX_AGE) out.age.set(session, a + 1)
    if (typeof r !== 'object' || r === null) return out
    for (const [id, v] of Object.entries(r as Record<string, unknown>)) {
      if (!Array.isArray(v) || typeof v[0] !== 'string') continue
      const at = split(id)
      if (at === undefined) continue
      if (out.age.has(at.session)) out.put(at.session, at.seq, v as unknown as readonly [string, Json?, string?])
    }
    return out
  }

  /** Records the answer to `id` (decided by decision `key`). */
  add(id: string, key: string, reply: Json | undefined, error: string | undefined): void {
    const entry: readonly [string, Json?, string?] = error !== undefined ? [key, reply ?? null, error] : reply !== undefined ? [key, reply] : [key]
    const at = split(id)
    if (at === undefined) return
    this.age.set(at.session, 0)
    this.put(at.session, at.seq, entry)
  }

  private put(session: string, seq: number, entry: readonly [string, Json?, string?]): void {
    let m = this.bySession.get(session)
    if (m === undefined) this.bySession.set(session, (m = new Map()))
    m.set(seq, entry)
    if (m.size > REPLIES_PER_SESSION) {
      const oldest = [...m.keys()].sort((a, b) => a - b).slice(0, m.size - REPLIES_PER_SESSION)
      for (const k of oldest) m.delete(k)
    }
  }

  /** The stored form. */
  toRecord(): RepliesRecord {
    const r: Record<string, readonly [string, Json?, string?]> = {}
    for (const [session, m] of this.bySession) {
      if (!this.age.has(session)) continue
      for (const [seq, entry] of m) r[`${session}.${seq}`] = entry
    }
    return { r, age: Object.fromEntries(this.age) }
  }
}

/** The answer a checkpoint keeps for request `id`, if any. */
export function storedReply(record: unknown, id: string): { key: string; reply?: Json; error?: string } | undefined {
  if (typeof record !== 'object' || record === null) return undefined
  const r = (record as { r?: unknown }).r
  if (typeof r !== 'object' || r === null || !Object.hasOwn(r, id)) return undefined
  const v = (r as Record<string, unknown>)[id]
  if (!Array.isArray(v) || typeof v[0] !== 'string') return undefined
  return { key: v[0], ...(v.length > 1 && v[1] !== undefined ? { reply: v[1] as Json } : {}), ...(typeof v[2] === 'string' ? { error: v[2] } : {}) }
}
