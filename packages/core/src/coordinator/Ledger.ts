import type * as Y from 'yjs'
import { asDecision, parseDecisionKey, type AppDoc, type DecisionRecord } from './AppDoc.js'
import { mergePatch, type JsonObject } from './json.js'
import { compareTerms, parseTermKey, termKey, type TermKey, type TermRecord } from './Term.js'

/** A decision that is part of the canonical history. */
export interface CanonicalDecision {
  readonly key: string
  readonly term: TermKey
  readonly seq: number
  readonly record: DecisionRecord
}

/** What the ledger tells its listeners after each document transaction. */
export interface LedgerListener {
  /** `decision` became canonical for its request (a request may see this again after a fork resolves). */
  decided?(requestId: string, decision: CanonicalDecision): void
  /** A canonical decision re-decided a request whose earlier decision was fenced. */
  conflict?(requestId: string, decision: CanonicalDecision, fencedKey: string): void
  /** New requests arrived, or requests became undecided again. */
  requestsPending?(): void
  /** The canonical head term or the server state changed. */
  changed?(): void
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs keys Transaction.changed by AbstractType<YEvent<any>>
type YType = Y.AbstractType<Y.YEvent<any>>

interface Segment {
  readonly key: TermKey
  readonly count: number
}

/**
 * Derives, deterministically on every replica, the canonical history of coordinator decisions
 * and the server state it folds to. Terms form a tree through their parent links; the canonical
 * chain ends at the greatest term (by epoch, then GUID). A term keeps its parent's first
 * `parentCount` decisions: decisions written later by a deposed coordinator are fenced, and so
 * is every term off the chain. A request counts as decided by its first canonical decision.
 */
export class Ledger {
  private readonly terms = new Map<TermKey, TermRecord>()
  private readonly decisions = new Map<TermKey, DecisionRecord[]>()
  private readonly contiguous = new Map<TermKey, number>()
  private readonly byRequest = new Map<string, string[]>()
  private readonly requestIds = new Set<string>()
  private headTerm: TermRecord | null = null
  private applied: Segment[] = []
  private decided = new Map<string, CanonicalDecision>()
  private pendingIds = new Set<string>()
  private currentState: JsonObject = {}
  private readonly listeners = new Set<LedgerListener>()
  private readonly reportedConflicts = new Set<string>()
  /** Count of document entries that were ignored because they were malformed. */
  malformedEntries = 0

  constructor(private readonly app: AppDoc) {
    for (const [k, v] of app.terms.entries()) this.readTerm(k, v)
    for (const [k, v] of app.decisions.entries()) this.readDecision(k, v)
    for (const k of app.requests.keys()) this.requestIds.add(k)
    this.recompute()
    app.doc.on('afterTransaction', this.onTransaction)
  }

  /** Subscribes; returns the unsubscribe function. */
  listen(listener: LedgerListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops observing the document. */
  destroy(): void {
    this.app.doc.off('afterTransaction', this.onTransaction)
    this.listeners.clear()
  }

  /** The canonical head term, or null before any coordinator claimed one. */
  head(): TermRecord | null {
    return this.headTerm
  }

  /** Every term record known locally. */
  allTerms(): Iterable<TermRecord> {
    return this.terms.values()
  }

  /** The greatest epoch of any term known locally (0 if none). */
  maxEpoch(): number {
    let max = 0
    for (const t of this.terms.values()) max = Math.max(max, t.epoch)
    return max
  }

  /** The term record for `key`, if known. */
  term(key: TermKey): TermRecord | undefined {
    return this.terms.get(key)
  }

  /** How many decisions of `term` this replica holds without a gap. */
  countOf(term: TermKey): number {
    return this.contiguous.get(term) ?? 0
  }

  /** The folded server state (identity is stable while it does not change). */
  state(): JsonObject {
    return this.currentState
  }

  /** The canonical decision on `requestId`, if any. */
  decisionFor(requestId: string): CanonicalDecision | undefined {
    return this.decided.get(requestId)
  }

  /** Requests without a canonical decision, in the order they were first seen. */
  pending(): ReadonlySet<string> {
    return this.pendingIds
  }

  /** The decision that a fenced, earlier decision on `requestId` holds, if any (for conflict reporting). */
  fencedDecisionOn(requestId: string): string | undefined {
    const canonical = this.decided.get(requestId)?.key
    return this.byRequest.get(requestId)?.find((key) => key !== canonical)
  }

  /** Whether term `descendant`'s chain keeps all `count` first decisions of `ancestor`. */
  keeps(descendant: TermKey, ancestor: TermKey, count: number): boolean {
    let key: TermKey | null = descendant
    let limit = Infinity
    for (let guard = 0; key !== null && guard <= this.terms.size; guard++) {
      if (key === ancestor) return limit >= count
      const rec: TermRecord | undefined = this.terms.get(key)
      if (rec === undefined) return false
      limit = rec.parentCount
      key = rec.parent
    }
    return false
  }

  private readonly onTransaction = (tr: Y.Transaction): void => {
    const changed = (type: Y.Map<unknown>): Set<string | null> | undefined => tr.changed.get(type as unknown as YType)
    let relevant = false
    const termsChanged = changed(this.app.terms)
    if (termsChanged !== undefined) {
      relevant = true
      for (const k of termsChanged) if (k !== null) this.readTerm(k, this.app.terms.get(k))
    }
    const decisionsChanged = changed(this.app.decisions)
    if (decisionsChanged !== undefined) {
      relevant = true
      for (const k of decisionsChanged) if (k !== null) this.readDecision(k, this.app.decisions.get(k))
    }
    let newRequests = false
    const requestsChanged = changed(this.app.requests)
    if (requestsChanged !== undefined) {
      for (const k of requestsChanged) {
        if (k === null || this.requestIds.has(k) || !this.app.requests.has(k)) continue
        this.requestIds.add(k)
        if (!this.decided.has(k)) {
          this.pendingIds.add(k)
          newRequests = true
        }
      }
    }
    if (relevant) this.recompute()
    if (newRequests) for (const l of this.listeners) l.requestsPending?.()
  }

  private readTerm(key: string, value: unknown): void {
    const ref = parseTermKey(key)
    const v = value as Partial<TermRecord> | undefined
    if (ref === undefined || typeof v !== 'object' || v === null || v.epoch !== ref.epoch || v.leader !== ref.leader || v.nonce !== ref.nonce ||
      !(v.parent === null || typeof v.parent === 'string') || typeof v.parentCount !== 'number') {
      this.malformedEntries++
      return
    }
    this.terms.set(key as TermKey, { ...ref, parent: v.parent, parentCount: v.parentCount })
  }

  private readDecision(key: string, value: unknown): void {
    const parsed = parseDecisionKey(key)
    const record = asDecision(value)
    if (parsed === undefined || record === undefined) {
      this.malformedEntries++
      return
    }
    const term = parsed.term as TermKey
    let list = this.decisions.get(term)
    if (list === undefined) this.decisions.set(term, (list = []))
    if (list[parsed.seq] !== undefined) return
    list[parsed.seq] = record
    if (record.r !== null) {
      const keys = this.byRequest.get(record.r)
      if (keys === undefined) this.byRequest.set(record.r, [key])
      else keys.push(key)
    }
    let count = this.contiguous.get(term) ?? 0
    while (list[count] !== undefined) count++
    this.contiguous.set(term, count)
  }

  private chain(): Segment[] {
    let head: TermRecord | null = null
    for (const t of this.terms.values()) if (head === null || compareTerms(t, head) > 0) head = t
    this.headTerm = head
    const reversed: Segment[] = []
    let limit = Infinity
    let cursor: TermRecord | undefined = head ?? undefined
    const visited = new Set<TermKey>()
    while (cursor !== undefined) {
      const key = termKey(cursor)
      if (visited.has(key)) break
      visited.add(key)
      reversed.push({ key, count: Math.min(limit, this.countOf(key)) })
      limit = cursor.parentCount
      cursor = cursor.parent === null ? undefined : this.terms.get(cursor.parent)
    }
    return reversed.reverse()
  }

  private recompute(): void {
    const prevHead = this.headTerm
    const segments = this.chain()
    const beforeState = this.currentState
    const incremental = this.extends(segments)
    const newly: CanonicalDecision[] = []
    if (!incremental) {
      const previous = this.decided
      this.decided = new Map()
      this.currentState = {}
      for (const seg of segments) this.apply(seg.key, 0, seg.count, newly)
      const stillNew = newly.filter((d) => previous.get(d.record.r ?? '')?.key !== d.key)
      newly.length = 0
      newly.push(...stillNew)
      this.pendingIds = new Set([...this.requestIds].filter((id) => !this.decided.has(id)))
    } else {
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i] as Segment
        const from = i < this.applied.length ? (this.applied[i] as Segment).count : 0
        this.apply(seg.key, from, seg.count, newly)
      }
    }
    const pendingAgain = !incremental && this.pendingIds.size > 0
    this.applied = segments
    for (const d of newly) {
      const requestId = d.record.r
      if (requestId === null) continue
      this.pendingIds.delete(requestId)
      for (const l of this.listeners) l.decided?.(requestId, d)
      if (d.record.s !== undefined && !this.reportedConflicts.has(d.key)) {
        this.reportedConflicts.add(d.key)
        for (const l of this.listeners) l.conflict?.(requestId, d, d.record.s)
      }
    }
    if (pendingAgain) for (const l of this.listeners) l.requestsPending?.()
    if (prevHead !== this.headTerm || beforeState !== this.currentState || newly.length > 0) {
      for (const l of this.listeners) l.changed?.()
    }
  }

  private extends(segments: Segment[]): boolean {
    if (segments.length < this.applied.length) return false
    for (let i = 0; i < this.applied.length; i++) {
      const old = this.applied[i] as Segment
      const now = segments[i] as Segment
      if (old.key !== now.key) return false
      if (i < this.applied.length - 1 ? now.count !== old.count : now.count < old.count) return false
    }
    return true
  }

  private apply(term: TermKey, from: number, to: number, out: CanonicalDecision[]): void {
    const list = this.decisions.get(term)
    if (list === undefined) return
    for (let seq = from; seq < to; seq++) {
      const record = list[seq]
      if (record === undefined) break
      const decision: CanonicalDecision = { key: `${term}#${seq}`, term, seq, record }
      if (record.r !== null) {
        if (this.decided.has(record.r)) continue
        this.decided.set(record.r, decision)
      }
      for (const op of record.o) {
        const next = 'set' in op ? op.set : mergePatch(this.currentState, op.patch)
        this.currentState = (typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as JsonObject
      }
      out.push(decision)
    }
  }
}
