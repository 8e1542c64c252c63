import type * as Y from 'yjs'
import { parseDecisionKey, type AppDoc, type DecisionRecord } from './AppDoc.js'
import type { EntryAuthority } from '../identity/EntryAuthority.js'
import { mergePatch, type JsonObject } from './json.js'
import { LedgerEntries } from './LedgerEntries.js'
import { DoneMarks, readCheckpoint, RecentReplies, storedReply, type CheckpointRecord } from './checkpoint/Checkpoint.js'
import { compareTerms, termKey, type TermKey, type TermRecord } from './Term.js'

/** A decision that is part of the canonical history. */
export interface CanonicalDecision {
  readonly key: string
  readonly term: TermKey
  readonly seq: number
  readonly record: DecisionRecord
}

/** Where a new term starts: its parent, how many of the parent's decisions it keeps, and cuts and roots below. */
export interface ClaimBasis {
  readonly parent: TermKey | null
  readonly parentCount: number
  readonly cuts?: Readonly<Record<string, number>>
  readonly roots?: readonly string[]
}

/** What the ledger tells its listeners after each document transaction. */
export interface LedgerListener {
  /** `decision` became canonical for its request (a request may see this again after a fork resolves). */
  decided?(requestId: string, decision: CanonicalDecision): void
  /**
   * A request this replica holds two decisions on: `decision` counts, `fencedKey` (an earlier
   * one, possibly acknowledged to its sender) does not. Called once per pair, on every replica
   * that holds both, whichever arrived last.
   */
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
  /** The first decision of the term folded (after a checkpoint, the one after it). */
  readonly from: number
  readonly count: number
}

/** The checkpoint a replica folds from: the newest its canonical chain keeps and it holds. */
export interface BaseCheckpoint {
  readonly key: string
  readonly term: TermKey
  readonly seq: number
  readonly state: JsonObject
  /** Requests decided before the checkpoint. */
  readonly done: DoneMarks
  /** The newest answers per sender session it keeps (stored form). */
  readonly replies: unknown
  /** Canonical decisions before it. */
  readonly n: number
}

/**
 * Derives, deterministically on every replica, the canonical history of coordinator decisions
 * and the server state it folds to. Terms form a tree through their parent links; the canonical
 * chain ends at the greatest term (by epoch, then GUID). A term keeps its parent's first
 * `parentCount` decisions: decisions written later by a deposed coordinator are fenced, and so
 * is every term off the chain. A request counts as decided by its first canonical decision.
 */
export class Ledger {
  private readonly entries: LedgerEntries
  private readonly terms: ReadonlyMap<TermKey, TermRecord>
  private readonly decisions: ReadonlyMap<TermKey, readonly DecisionRecord[]>
  private readonly byRequest: ReadonlyMap<string, readonly string[]>
  private readonly requestIds = new Set<string>()
  private headTerm: TermRecord | null = null
  private whole = true
  private baseCheckpoint: BaseCheckpoint | null = null
  private appliedBase: string | null = null
  /** The base checkpoint for which skipped re-decisions were last looked for. */
  private conflictBase: string | null = null
  private readonly parsedCheckpoints = new Map<string, { state: JsonObject; done: DoneMarks; replies: unknown; n: number } | null>()
  /** Canonical decisions folded after the base checkpoint (or from the start). */
  private sinceBase = 0
  /** About how many document bytes those decisions and their requests take. */
  private bytesSince = 0
  private stateBytesCache: { key: string; bytes: number } | undefined
  private applied: Segment[] = []
  private decided = new Map<string, CanonicalDecision>()
  private pendingIds = new Set<string>()
  private currentState: JsonObject = {}
  /** Objects created by the fold in progress, not yet published: later patches of it change them in place. */
  private unpublished = new WeakSet<object>()
  private readonly listeners = new Set<LedgerListener>()
  private readonly reportedConflicts = new Set<string>()
  private destroyed = false
  private constructed = false
  private newRequests = false

  /**
   * @param authority With peer identities: decides which terms and decisions are authentic;
   *   the others are held aside and never count (see {@link EntryAuthority}).
   */
  constructor(private readonly app: AppDoc, private readonly authority?: EntryAuthority) {
    this.entries = new LedgerEntries(app, authority)
    this.terms = this.entries.terms
    this.decisions = this.entries.decisions
    this.byRequest = this.entries.byRequest
    for (const [k, v] of app.terms.entries()) this.entries.readTerm(k, v)
    for (const [k, v] of app.decisions.entries()) this.entries.readDecision(k, v)
    this.entries.onRequest = (id) => this.addRequest(id)
    for (const [k, v] of app.requests.entries()) this.entries.readRequest(k, v)
    this.recompute()
    // Requests the document already held (a restart from a saved document) and no decision
    // answers are pending too: the first fold above extends an empty chain, so it does not
    // derive the pending set, and without this a restarted coordinator never decided them.
    this.pendingIds = new Set([...this.requestIds].filter((id) => !this.isDecided(id)))
    this.constructed = true
    app.doc.on('afterTransaction', this.onTransaction)
  }

  /**
   * The stored record of request `id` to decide on: the document's current one, or with
   * identities the one whose signature was checked (a later overwrite does not count).
   */
  requestRecord(id: string): unknown {
    return this.authority === undefined ? this.app.requests.get(id) : this.entries.requests.get(id)
  }

  /** Subscribes; returns the unsubscribe function. */
  listen(listener: LedgerListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops observing the document. */
  destroy(): void {
    this.destroyed = true
    this.app.doc.off('afterTransaction', this.onTransaction)
    this.listeners.clear()
  }

  /**
   * True if this replica holds every decision the canonical chain keeps (all term records back
   * to the first, and each kept prefix). A coordinator decides nothing while this is false.
   */
  complete(): boolean {
    return this.whole
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
    const eligible = new Set(this.app.eligible())
    let max = 0
    for (const t of this.terms.values()) if (eligible.has(t.leader)) max = Math.max(max, t.epoch)
    return max
  }

  /** The term record for `key`, if known. */
  term(key: TermKey): TermRecord | undefined {
    return this.terms.get(key)
  }

  /**
   * How many decisions of `term` this replica holds without a gap; for the term of the base
   * checkpoint, the decisions before the checkpoint count as held (they may be deleted).
   */
  countOf(term: TermKey): number {
    const n = this.entries.countOf(term)
    const base = this.baseCheckpoint
    return base !== null && base.term === term ? Math.max(n, this.entries.countFrom(term, base.seq)) : n
  }

  /** The checkpoint this replica folds from, or null (it folds from the first decision). */
  base(): BaseCheckpoint | null {
    return this.baseCheckpoint
  }

  /** Canonical decisions folded since the base checkpoint (or since the first decision). */
  decisionsSinceBase(): number {
    return this.sinceBase
  }

  /** About how many document bytes the decisions since the base checkpoint and their requests take (a JSON estimate). */
  bytesSinceBase(): number {
    return this.bytesSince
  }

  /** The size of the base checkpoint's state as JSON (0 without one), measured once per checkpoint. */
  baseStateBytes(): number {
    const base = this.baseCheckpoint
    if (base === null) return 0
    if (this.stateBytesCache?.key !== base.key) this.stateBytesCache = { key: base.key, bytes: JSON.stringify(base.state).length }
    return this.stateBytesCache.bytes
  }

  /** True if `requestId` has a canonical decision, or was decided before the base checkpoint. */
  isDecided(requestId: string): boolean {
    return this.decided.has(requestId) || this.coveredByCheckpoint(requestId)
  }

  /** True if `requestId` was decided before the base checkpoint (its decision may be deleted). */
  coveredByCheckpoint(requestId: string): boolean {
    return this.baseCheckpoint?.done.has(requestId) ?? false
  }

  /**
   * The canonical decision on `requestId` behind the base checkpoint, if this replica still holds
   * its record: a replica that receives a decision and the checkpoint after it at once folds from
   * the checkpoint, and the sender still needs the reply the decision carries.
   */
  checkpointedDecision(requestId: string): CanonicalDecision | undefined {
    if (!this.coveredByCheckpoint(requestId)) return undefined
    let best: CanonicalDecision | undefined
    for (const key of this.byRequest.get(requestId) ?? []) {
      const at = parseDecisionKey(key)
      const record = this.decisionAt(key)
      if (at === undefined || record === undefined || !this.behindBase(key)) continue
      const d: CanonicalDecision = { key, term: at.term as TermKey, seq: at.seq, record }
      const t = this.terms.get(d.term)
      const bt = best === undefined ? undefined : this.terms.get(best.term)
      if (best === undefined || (t !== undefined && bt !== undefined && (compareTerms(t, bt) < 0 || (compareTerms(t, bt) === 0 && d.seq < best.seq)))) best = d
    }
    if (best !== undefined) return best
    // The record is gone (compacted before this replica saw it): the checkpoint may keep the answer.
    const kept = storedReply(this.baseCheckpoint?.replies, requestId)
    const at = kept === undefined ? undefined : parseDecisionKey(kept.key)
    if (kept === undefined || at === undefined) return undefined
    const record: DecisionRecord = { r: requestId, o: [], ...(kept.reply !== undefined ? { y: kept.reply } : {}), ...(kept.error !== undefined ? { e: kept.error } : {}) }
    return { key: kept.key, term: at.term as TermKey, seq: at.seq, record }
  }

  /** What a checkpoint written now records: the folded state and every request decided so far. */
  checkpointRecord(): CheckpointRecord {
    const done = this.baseCheckpoint?.done.clone() ?? new DoneMarks()
    const replies = RecentReplies.after(this.baseCheckpoint?.replies)
    for (const [id, d] of this.decided) {
      done.add(id)
      replies.add(id, d.key, d.record.y, d.record.e)
    }
    return { state: this.currentState, done: done.toRecord(), replies: replies.toRecord(), n: (this.baseCheckpoint?.n ?? 0) + this.sinceBase }
  }

  /**
   * True if decision `key` is behind the base checkpoint on the canonical chain: its record may
   * be gone, and it counts as it did when the checkpoint was written.
   */
  behindBase(key: string): boolean {
    const base = this.baseCheckpoint
    const at = parseDecisionKey(key)
    if (base === null || at === undefined || this.headTerm === null) return false
    if (at.term === base.term) return at.seq < base.seq
    let passed = false
    for (const step of this.walk(termKey(this.headTerm))) {
      if (step.key === base.term) passed = true
      else if (passed && step.key === at.term) return at.seq < step.kept
    }
    return false
  }

  /** Terms of the canonical chain older than the base checkpoint's term (their decisions are all behind it). */
  termsBehindBase(): Set<TermKey> {
    const out = new Set<TermKey>()
    const base = this.baseCheckpoint
    if (base === null || this.headTerm === null) return out
    let passed = false
    for (const step of this.walk(termKey(this.headTerm))) {
      if (passed) out.add(step.key)
      if (step.key === base.term) passed = true
    }
    return out
  }

  /** Count of document entries that were ignored because they were malformed. */
  get malformedEntries(): number {
    return this.entries.malformed
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

  /** With identity: how many request, term and decision entries do not count, waiting for a signature or rejected. */
  unverifiedEntries(): number {
    return this.entries.held.size
  }

  /** With identity: an asynchronous verification of entry `key` finished; read it (or, without a key, every held entry) again. */
  reverify(key?: string): void {
    if (this.destroyed) return
    this.entries.retryHeld(key === undefined ? undefined : new Set([key]))
    this.recompute()
    this.announceRequests()
  }

  /** Whether term `descendant`'s chain keeps all `count` first decisions of `ancestor`. */
  keeps(descendant: TermKey, ancestor: TermKey, count: number): boolean {
    for (const step of this.walk(descendant)) if (step.key === ancestor) return step.kept >= count
    return false
  }

  /** Whether this replica holds every decision the chain ending at `term` keeps. */
  wholeFrom(term: TermKey): boolean {
    const base = this.baseCheckpoint
    for (const step of this.walk(term)) {
      if (base !== null && step.key === base.term && step.kept > base.seq) return step.key === term || this.countOf(step.key) >= step.kept
      if (step.record === undefined && !step.root) return false
      if (step.key !== term && this.countOf(step.key) < step.kept) return false
    }
    return true
  }

  /**
   * What a new term claimed on top of the canonical head must record so that the chain keeps
   * exactly a prefix of history this replica holds whole. Where it lacks kept decisions of an
   * older term (or an older term's record), it keeps that term only up to what it holds (or roots
   * the chain there, keeping none of it) and **every later term of the chain is cut to nothing**,
   * the head included (`parentCount` 0): their decisions were made on top of the part it lacks, so
   * folding them onto the shorter prefix would give a state no handler ever saw.
   */
  claimBasis(): ClaimBasis {
    const head = this.headTerm
    if (head === null) return { parent: null, parentCount: 0 }
    const all = [...this.walk(termKey(head))]
    // Steps older than the base checkpoint's term are behind it: nothing of them is needed.
    const base = this.baseCheckpoint
    const baseAt = base === null ? -1 : all.findIndex((step) => step.key === base.term && step.kept > base.seq)
    const steps = baseAt < 0 ? all : all.slice(0, baseAt + 1)
    // The oldest step of the chain this replica cannot keep whole.
    let gap = -1
    for (let i = steps.length - 1; i >= 1 && gap < 0; i--) {
      const step = steps[i] as (typeof steps)[number]
      if ((step.record === undefined && !step.root) || this.countOf(step.key) < step.kept) gap = i
    }
    const parent = termKey(head)
    if (gap < 0) return { parent, parentCount: this.countOf(parent) }
    const cuts: Record<string, number> = {}
    const roots: string[] = []
    const at = steps[gap] as (typeof steps)[number]
    if (at.record === undefined) {
      roots.push(at.key)
      cuts[at.key] = 0
    } else cuts[at.key] = this.countOf(at.key)
    for (let i = 1; i < gap; i++) cuts[(steps[i] as (typeof steps)[number]).key] = 0
    return { parent, parentCount: 0, cuts, ...(roots.length > 0 ? { roots } : {}) }
  }

  /**
   * Requests this replica holds more than one decision on, where one is canonical and another is
   * not: a re-decision. Each pair (fenced, canonical) is reported once to `conflict` listeners,
   * whichever of the two decisions arrived last.
   */
  private reportConflicts(requestIds: Iterable<string>): void {
    for (const requestId of requestIds) {
      const canonical = this.decided.get(requestId) ?? this.checkpointedDecision(requestId)
      const keys = this.byRequest.get(requestId)
      if (canonical === undefined || keys === undefined) continue
      for (const key of keys) {
        if (key === canonical.key) continue
        const pair = `${key}>${canonical.key}`
        if (this.reportedConflicts.has(pair)) continue
        this.reportedConflicts.add(pair)
        for (const l of this.listeners) l.conflict?.(requestId, canonical, key)
      }
    }
  }

  /** The decision record stored under decision key `key`, if this replica holds it. */
  decisionAt(key: string): DecisionRecord | undefined {
    const at = parseDecisionKey(key)
    return at === undefined ? undefined : this.decisions.get(at.term as TermKey)?.[at.seq]
  }

  /**
   * Walks the chain from `start` back to its first term, yielding each term with how many of
   * its decisions the chain keeps: a term keeps its parent's first `parentCount`, lowered by any
   * cut a later term of the chain recorded; a root recorded by a later term ends the walk.
   */
  private *walk(start: TermKey): Generator<{ key: TermKey; record: TermRecord | undefined; kept: number; root: boolean }> {
    const cuts = new Map<string, number>()
    const roots = new Set<string>()
    const visited = new Set<TermKey>()
    let key: TermKey | null = start
    let limit = Infinity
    while (key !== null && !visited.has(key)) {
      visited.add(key)
      const record: TermRecord | undefined = this.terms.get(key)
      const root = roots.has(key)
      yield { key, record, kept: Math.min(limit, cuts.get(key) ?? Infinity), root }
      if (record === undefined || root) return
      for (const [k, c] of Object.entries(record.cuts ?? {})) cuts.set(k, Math.min(c, cuts.get(k) ?? Infinity))
      for (const r of record.roots ?? []) roots.add(r)
      limit = record.parentCount
      key = record.parent
    }
  }

  private readonly onTransaction = (tr: Y.Transaction): void => {
    const changed = (type: Y.Map<unknown>): Set<string | null> | undefined => tr.changed.get(type as unknown as YType)
    let relevant = false
    const termsChanged = changed(this.app.terms)
    if (termsChanged !== undefined) {
      relevant = true
      for (const k of termsChanged) if (k !== null) this.entries.readTerm(k, this.app.terms.get(k))
    }
    const logged = this.app.log.changes(tr)
    const decisionsChanged = changed(this.app.legacy.decisions)
    if (decisionsChanged !== undefined || (logged !== undefined && logged.decisions.size > 0)) {
      relevant = true
      for (const k of decisionsChanged ?? []) if (k !== null) this.entries.readDecision(k, this.app.decisions.get(k))
      for (const k of logged?.decisions ?? []) this.entries.readDecision(k, this.app.decisions.get(k))
    }
    // A signature arrived (or was replaced): entries held for want of one may count now.
    const signedTop = changed(this.app.legacy.signatures)
    if ((signedTop !== undefined || (logged !== undefined && logged.signatures.size > 0)) && this.entries.held.size > 0) {
      relevant = true
      this.entries.retryHeld(new Set([...(signedTop ?? []), ...(logged?.signatures ?? [])]))
    }
    // Who is eligible decides which terms count: recompute when the list or the metadata changes.
    if (changed(this.app.successors as unknown as Y.Map<unknown>) !== undefined || changed(this.app.meta) !== undefined ||
      changed(this.app.instances) !== undefined) relevant = true
    const requestsChanged = [...(changed(this.app.legacy.requests) ?? []), ...(logged?.requests ?? [])]
    if (requestsChanged.length > 0) {
      for (const k of requestsChanged) {
        if (k === null || this.requestIds.has(k) || !this.app.requests.has(k)) continue
        this.entries.readRequest(k, this.app.requests.get(k))
      }
    }
    if (relevant) this.recompute()
    this.announceRequests()
  }

  /** A request was taken (with identities: once its signature checked). */
  private addRequest(id: string): void {
    if (this.requestIds.has(id)) return
    this.requestIds.add(id)
    if (this.constructed && !this.isDecided(id)) {
      this.pendingIds.add(id)
      this.newRequests = true
    }
  }

  private announceRequests(): void {
    if (!this.newRequests) return
    this.newRequests = false
    for (const l of this.listeners) l.requestsPending?.()
  }

  /**
   * Picks the canonical app instance. Two exist only after a peer that started without the
   * document created the app again while cut off; the one with the longer history wins (more
   * decisions held, then more members, then the smaller id), so an established history is never
   * fenced by a newcomer's, and the newcomer's own requests are decided again in the winner.
   */
  private chooseInstance(): void {
    const members = this.app.instanceMembers()
    if (members.size <= 1) {
      this.app.useInstance(members.keys().next().value ?? '')
      return
    }
    const decisions = new Map<string, number>()
    for (const [key, t] of this.terms) decisions.set(t.i ?? '', (decisions.get(t.i ?? '') ?? 0) + this.countOf(key))
    // History behind a checkpoint may be deleted, and replicas that joined later never held it:
    // a checkpoint's count of the decisions before it keeps the weight the same on every replica.
    for (const [term, seqs] of this.entries.checkpoints) {
      const i = this.terms.get(term)?.i ?? ''
      for (const seq of seqs) {
        const cp = this.checkpointAt(`${term}#${seq}`)
        if (cp !== undefined) decisions.set(i, Math.max(decisions.get(i) ?? 0, cp.n + seq + 1))
      }
    }
    let best: [string, number, number] | undefined
    for (const [id, n] of members) {
      const cand: [string, number, number] = [id, decisions.get(id) ?? 0, n]
      if (best === undefined || cand[1] > best[1] || (cand[1] === best[1] && (cand[2] > best[2] || (cand[2] === best[2] && id < best[0])))) best = cand
    }
    this.app.useInstance(best?.[0] ?? '')
  }

  /** True if `term` belongs to the canonical app instance. */
  inCanonicalInstance(term: TermKey): boolean {
    const t = this.terms.get(term)
    return t !== undefined && (t.i ?? '') === this.app.instance()
  }

  private chain(): Segment[] {
    this.chooseInstance()
    const instance = this.app.instance()
    // Only terms led by peers of the successorship list count: a term written by anyone else is
    // a forgery (it is kept, and counts again if its leader ever joins the list).
    const eligible = new Set(this.app.eligible())
    let head: TermRecord | null = null
    for (const t of this.terms.values()) {
      if ((t.i ?? '') === instance && eligible.has(t.leader) && (head === null || compareTerms(t, head) > 0)) head = t
    }
    this.headTerm = head
    const reversed: Segment[] = []
    let whole = true
    let base: BaseCheckpoint | null = null
    if (head !== null) {
      for (const step of this.walk(termKey(head))) {
        // The newest checkpoint the chain keeps (and this replica holds) is where the fold starts:
        // what is older may be deleted, and is not needed.
        const at = this.entries.checkpointBelow(step.key, step.kept)
        const cp = at === undefined ? undefined : this.checkpointAt(`${step.key}#${at}`)
        if (at !== undefined && cp !== undefined) {
          base = { key: `${step.key}#${at}`, term: step.key, seq: at, state: cp.state, done: cp.done, replies: cp.replies, n: cp.n }
          const end = this.entries.countFrom(step.key, at)
          if (step.kept !== Infinity && end < step.kept) whole = false
          reversed.push({ key: step.key, from: at + 1, count: Math.max(at + 1, Math.min(step.kept, end)) })
          break
        }
        if (step.record === undefined && !step.root) whole = false
        if (step.kept !== Infinity && this.entries.countOf(step.key) < step.kept) whole = false
        reversed.push({ key: step.key, from: 0, count: Math.min(step.kept, this.entries.countOf(step.key)) })
      }
    }
    this.whole = whole
    this.baseCheckpoint = base
    return reversed.reverse()
  }

  /** The newest checkpoint of `term` among its first `count` decisions that this replica holds, if any. */
  checkpointOf(term: TermKey, count: number): BaseCheckpoint | undefined {
    const seq = this.entries.checkpointBelow(term, count)
    const cp = seq === undefined ? undefined : this.checkpointAt(`${term}#${seq}`)
    return seq === undefined || cp === undefined ? undefined : { key: `${term}#${seq}`, term, seq, ...cp }
  }

  /** The checkpoint carried by decision `key` (parsed once), if it carries a well-formed one. */
  private checkpointAt(key: string): { state: JsonObject; done: DoneMarks; replies: unknown; n: number } | undefined {
    if (!this.parsedCheckpoints.has(key)) this.parsedCheckpoints.set(key, readCheckpoint(this.decisionAt(key)?.c) ?? null)
    return this.parsedCheckpoints.get(key) ?? undefined
  }

  private recompute(): void {
    const prevHead = this.headTerm
    const segments = this.chain()
    const beforeState = this.currentState
    this.unpublished = new WeakSet()
    const incremental = this.extends(segments)
    const newly: CanonicalDecision[] = []
    if (!incremental) {
      const previous = this.decided
      this.decided = new Map()
      const base = this.baseCheckpoint
      this.currentState = base?.state ?? {}
      this.sinceBase = 0
      this.bytesSince = 0
      for (const seg of segments) this.apply(seg.key, seg.from, seg.count, newly)
      const stillNew = newly.filter((d) => previous.get(d.record.r ?? '')?.key !== d.key)
      newly.length = 0
      newly.push(...stillNew)
      this.pendingIds = new Set([...this.requestIds].filter((id) => !this.isDecided(id)))
    } else {
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i] as Segment
        const from = i < this.applied.length ? (this.applied[i] as Segment).count : seg.from
        this.apply(seg.key, from, seg.count, newly)
      }
    }
    const pendingAgain = !incremental && this.pendingIds.size > 0
    this.applied = segments
    this.appliedBase = this.baseCheckpoint?.key ?? null
    for (const d of newly) {
      const requestId = d.record.r
      if (requestId === null) continue
      this.pendingIds.delete(requestId)
      for (const l of this.listeners) l.decided?.(requestId, d)
    }
    // A re-decision shows as soon as a replica holds both decisions, whichever came last.
    if (!incremental) {
      this.reportConflicts(this.entries.contested)
      // A fold that moved to another checkpoint may have skipped the decision that now counts (it
      // was compacted before this replica saw it): a request this replica holds only an earlier,
      // now fenced, decision on is a re-decision too, whose canonical answer the checkpoint keeps.
      const baseKey = this.baseCheckpoint?.key ?? null
      if (baseKey !== null && baseKey !== this.conflictBase) {
        this.conflictBase = baseKey
        this.reportConflicts([...this.byRequest.keys()].filter((id) => !this.entries.contested.has(id) && !this.decided.has(id) && this.coveredByCheckpoint(id)))
      }
    }
    else {
      const touched = new Set(this.entries.newlyContested)
      for (const d of newly) if (d.record.r !== null && this.entries.contested.has(d.record.r)) touched.add(d.record.r)
      this.reportConflicts(touched)
    }
    this.entries.newlyContested.clear()
    if (pendingAgain) for (const l of this.listeners) l.requestsPending?.()
    if (prevHead !== this.headTerm || beforeState !== this.currentState || newly.length > 0) {
      for (const l of this.listeners) l.changed?.()
    }
  }

  private extends(segments: Segment[]): boolean {
    // A fold from another checkpoint starts from its state: never an extension.
    if ((this.baseCheckpoint?.key ?? null) !== this.appliedBase) return false
    if (segments.length < this.applied.length) return false
    for (let i = 0; i < this.applied.length; i++) {
      const old = this.applied[i] as Segment
      const now = segments[i] as Segment
      if (old.key !== now.key || old.from !== now.from) return false
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
      this.sinceBase++
      // The decision and its request: ops, reply and message as JSON, plus keys and Yjs overhead.
      this.bytesSince += 160 + JSON.stringify(record.o).length + (record.y === undefined ? 0 : JSON.stringify(record.y).length) +
        (record.r === null ? 0 : JSON.stringify((this.requestRecord(record.r) as { m?: unknown } | undefined)?.m ?? null).length)
      if (record.r !== null) {
        if (this.decided.has(record.r) || this.coveredByCheckpoint(record.r)) continue
        this.decided.set(record.r, decision)
      }
      for (const op of record.o) {
        const next = 'set' in op ? op.set : mergePatch(this.currentState, op.patch, this.unpublished)
        this.currentState = (typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as JsonObject
      }
      out.push(decision)
    }
  }
}
