import type { EntryAuthority } from '../identity/EntryAuthority.js'
import { asDecision, parseDecisionKey, type AppDoc, type DecisionRecord } from './AppDoc.js'
import { parseTermKey, type TermKey, type TermRecord } from './Term.js'

/**
 * The coordinator entries of the document as the {@link Ledger} sees them: well-formed term
 * records and decisions, indexed (decisions per term, how many without a gap, decision keys per
 * request). Malformed entries are counted and ignored. With an {@link EntryAuthority} (peer
 * identities), only entries it finds valid are taken; the others are held aside and read again
 * when a signature arrives or a verification finishes.
 */
export class LedgerEntries {
  /** Term records by key. */
  readonly terms = new Map<TermKey, TermRecord>()
  /** Decisions by term, by sequence number. */
  readonly decisions = new Map<TermKey, DecisionRecord[]>()
  /** Decision keys by request id. */
  readonly byRequest = new Map<string, string[]>()
  /** Requests with more than one decision (a re-decision somewhere): each is checked for a conflict to report. */
  readonly contested = new Set<string>()
  /** Contested requests that gained a decision since the ledger last looked (it clears this set). */
  readonly newlyContested = new Set<string>()
  /** Requests taken, with the record as it was taken (with identity, the signed one). */
  readonly requests = new Map<string, unknown>()
  /** With identity: entries that do not count (yet): no signature, verification pending, or rejected. */
  readonly held = new Map<string, 'term' | 'decision' | 'request'>()
  /** Called when a request is taken. */
  onRequest: (id: string) => void = () => {}
  /** Entries ignored because they were malformed. */
  malformed = 0
  /** Sequence numbers of the decisions that carry a checkpoint, by term. */
  readonly checkpoints = new Map<TermKey, number[]>()
  private readonly contiguous = new Map<TermKey, number>()
  private readonly contiguousFrom = new Map<TermKey, { start: number; end: number }>()

  constructor(private readonly app: AppDoc, private readonly authority?: EntryAuthority) {}

  /** How many decisions of `term` are held without a gap. */
  countOf(term: TermKey): number {
    return this.contiguous.get(term) ?? 0
  }

  /**
   * Where the first gap of `term`'s decisions at or after `start` is (`start` itself if that
   * decision is missing): how far a replica that folds from a checkpoint at `start` holds the term.
   */
  countFrom(term: TermKey, start: number): number {
    const list = this.decisions.get(term)
    if (list === undefined) return start
    const cached = this.contiguousFrom.get(term)
    let end = cached !== undefined && cached.start === start ? cached.end : start
    while (list[end] !== undefined) end++
    this.contiguousFrom.set(term, { start, end })
    return end
  }

  /** The greatest sequence number below `limit` of a decision of `term` that carries a checkpoint. */
  checkpointBelow(term: TermKey, limit: number): number | undefined {
    const seqs = this.checkpoints.get(term)
    if (seqs === undefined) return undefined
    for (let i = seqs.length - 1; i >= 0; i--) if ((seqs[i] as number) < limit) return seqs[i]
    return undefined
  }

  /** Reads request `id` of the document (again); the first record taken stays. */
  readRequest(id: string, value: unknown): void {
    if (this.requests.has(id) || value === undefined) return
    if (!this.admit('request', id, this.authority?.request(id, value))) return
    this.requests.set(id, value)
    this.onRequest(id)
  }

  /** Reads term entry `key` of the document (again). */
  readTerm(key: string, value: unknown): void {
    const ref = parseTermKey(key)
    const v = value as Partial<TermRecord> | undefined
    if (ref === undefined || typeof v !== 'object' || v === null || v.epoch !== ref.epoch || v.leader !== ref.leader || v.nonce !== ref.nonce ||
      !(v.parent === null || typeof v.parent === 'string') || typeof v.parentCount !== 'number') {
      this.malformed++
      return
    }
    const cuts = v.cuts
    const roots = v.roots
    if ((cuts !== undefined && (typeof cuts !== 'object' || cuts === null || !Object.values(cuts).every((c) => Number.isSafeInteger(c) && c >= 0))) ||
      (roots !== undefined && (!Array.isArray(roots) || !roots.every((r) => typeof r === 'string')))) {
      this.malformed++
      return
    }
    if (v.i !== undefined && typeof v.i !== 'string') {
      this.malformed++
      return
    }
    const record: TermRecord = {
      ...ref, parent: v.parent, parentCount: v.parentCount, ...(cuts !== undefined ? { cuts } : {}), ...(roots !== undefined ? { roots } : {}),
      ...(v.i !== undefined ? { i: v.i } : {})
    }
    if (!this.admit('term', key, this.authority?.term(key as TermKey, record))) return
    this.terms.set(key as TermKey, record)
  }

  /** Without an authority every well-formed entry counts; with one, only a valid one (others are held). */
  private admit(kind: 'term' | 'decision' | 'request', key: string, verdict: 'valid' | 'waiting' | 'invalid' | undefined): boolean {
    if (verdict === undefined || verdict === 'valid') {
      this.held.delete(key)
      return true
    }
    this.held.set(key, kind)
    return false
  }

  /** Reads held entries again: those in `keys` and the decisions of terms in `keys` (all if undefined). */
  retryHeld(keys?: ReadonlySet<string | null>): void {
    for (const [key, kind] of [...this.held]) {
      if (keys !== undefined && !keys.has(key) && !(kind === 'decision' && keys.has(parseDecisionKey(key)?.term ?? null))) continue
      this.held.delete(key)
      if (kind === 'term') this.readTerm(key, this.app.terms.get(key))
      else if (kind === 'request') this.readRequest(key, this.app.requests.get(key))
      else this.readDecision(key, this.app.decisions.get(key))
    }
  }

  /** Reads decision entry `key` of the document (again); a deleted one (behind a checkpoint) stays as read. */
  readDecision(key: string, value: unknown): void {
    if (value === undefined) return
    const parsed = parseDecisionKey(key)
    const record = asDecision(value)
    if (parsed === undefined || record === undefined) {
      this.malformed++
      return
    }
    const term = parsed.term as TermKey
    if (this.decisions.get(term)?.[parsed.seq] !== undefined) {
      this.held.delete(key)
      return
    }
    if (!this.admit('decision', key, this.authority?.decision(key, term, record))) return
    let list = this.decisions.get(term)
    if (list === undefined) this.decisions.set(term, (list = []))
    list[parsed.seq] = record
    if (record.r !== null) {
      const keys = this.byRequest.get(record.r)
      if (keys === undefined) this.byRequest.set(record.r, [key])
      else {
        keys.push(key)
        this.contested.add(record.r)
        this.newlyContested.add(record.r)
      }
    }
    if (record.c !== undefined) {
      let seqs = this.checkpoints.get(term)
      if (seqs === undefined) this.checkpoints.set(term, (seqs = []))
      seqs.push(parsed.seq)
      seqs.sort((a, b) => a - b)
    }
    let count = this.contiguous.get(term) ?? 0
    while (list[count] !== undefined) count++
    this.contiguous.set(term, count)
  }
}
