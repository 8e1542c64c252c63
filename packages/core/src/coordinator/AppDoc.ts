import type * as Y from 'yjs'
import { EntryLog, EntryView } from './EntryLog.js'
import type { PeerId } from '../ids/ids.js'
import type { Json, JsonObject } from './json.js'

/** Identity of the app's server code: peers whose identity differs are never eligible. */
export interface CodeIdentity {
  readonly name: string
  readonly version: string
  /** A hash of the server code (the app computes it at build time, or sship hashes `name@version`). */
  readonly hash: string
}

/** The string form of a {@link CodeIdentity}, as stored in the document. */
export function codeId(identity: CodeIdentity): string {
  return `${identity.name}@${identity.version}#${identity.hash}`
}

/** One operation a decision applies to the server state. */
export type StateOp = { readonly set: JsonObject } | { readonly patch: Json }

/** A coordinator's decision on one request (or a standalone commit), as stored in the document. */
export interface DecisionRecord {
  /** The request decided, or null for a commit made outside a request handler. */
  readonly r: string | null
  /** Operations on the server state, applied in order. */
  readonly o: readonly StateOp[]
  /** The reply to the sender, if any. */
  readonly y?: Json
  /** The handler's error message, if it threw. */
  readonly e?: string
  /** Key of an earlier decision on the same request that was fenced (a resolved conflict). */
  readonly s?: string
  /** A membership change this decision carries (see `membership/Membership.ts`). */
  readonly m?: { readonly retire: string; readonly g: number }
  /** A checkpoint this (empty) decision records (see `checkpoint/Checkpoint.ts`). */
  readonly c?: unknown
}

/** A request as stored in the document. The sender is the part of its id before the first `/`. */
export interface RequestRecord {
  readonly m: Json
}

/**
 * The layout of an app's `Y.Doc`. Everything sship replicates lives in these top-level types;
 * `data` is the app's own, for commutative writes from any peer.
 */
export class AppDoc {
  /** Constants fixed when the initial host creates the app: `initialHost`, `code`. */
  readonly meta: Y.Map<unknown>
  /** The successorship list: `{ id, code }` entries, first occurrence counts. */
  readonly successors: Y.Array<unknown>
  /** Term records by term key. */
  readonly terms: Y.Map<unknown>
  /** Requests by request id (stored in {@link AppDoc.log}'s buckets). */
  readonly requests: EntryView
  /** Decisions by `"<termKey>#<seq>"` (stored in {@link AppDoc.log}'s buckets). */
  readonly decisions: EntryView
  /** The buckets requests, decisions and their signatures are stored in (deleted whole behind a checkpoint). */
  readonly log: EntryLog
  /** The app's shared data for commutative writes. */
  readonly data: Y.Map<unknown>
  /** With peer identities: signatures of terms, decisions and requests, by entry key (`{ k?: publicKey, s: signature }`). */
  readonly signatures: EntryView
  /** Top-level maps of documents written before buckets (read as before; term signatures stay in `sship.sigs`). */
  readonly legacy: { readonly requests: Y.Map<unknown>; readonly decisions: Y.Map<unknown>; readonly signatures: Y.Map<unknown> }
  /**
   * App instances by id: `{ host, code }`, written once by the peer that created the instance.
   * Two instances exist only when a peer started without the document and, cut off from the
   * others, created the app again; the ledger picks one canonical instance (see `useInstance`).
   */
  readonly instances: Y.Map<unknown>
  /** Retired memberships by peer (`{ g, d }`, see `membership/Membership.ts`). */
  readonly retired: Y.Map<unknown>
  /** Clean leaves by peer (`{ g }`): the coordinator retires the peer at once. */
  readonly leaving: Y.Map<unknown>
  /** Current members (see {@link AppDoc.members}); set by the peer once its ledger exists. */
  membersOf: (() => readonly PeerId[]) | undefined

  private listCache: Array<{ id: PeerId; code: string }> | undefined
  private eligibleCache: PeerId[] | undefined
  private current = ''
  private membersCache: Map<string, number> | undefined

  constructor(readonly doc: Y.Doc) {
    this.meta = doc.getMap('sship.meta')
    this.successors = doc.getArray('sship.successors')
    this.terms = doc.getMap('sship.terms')
    this.legacy = { requests: doc.getMap('sship.requests'), decisions: doc.getMap('sship.decisions'), signatures: doc.getMap('sship.sigs') }
    this.log = new EntryLog(doc)
    this.requests = new EntryView(this.log, this.legacy.requests, EntryLog.requestBucket, 'r')
    this.decisions = new EntryView(this.log, this.legacy.decisions, EntryLog.decisionBucket, 'd')
    this.signatures = new EntryView(this.log, this.legacy.signatures, EntryLog.signatureBucket, 's')
    this.data = doc.getMap('data')
    this.instances = doc.getMap('sship.instances')
    this.retired = doc.getMap('sship.retired')
    this.leaving = doc.getMap('sship.leaving')
    // The coordinator reads the list on every heartbeat: derive it again only when it changes.
    const invalidate = (): void => {
      this.listCache = undefined
      this.eligibleCache = undefined
      this.membersCache = undefined
    }
    this.successors.observe(invalidate)
    this.meta.observe(invalidate)
    this.instances.observe(invalidate)
  }

  /**
   * The canonical app instance: `''` for an app created before instances existed (its records
   * carry none). Set by the ledger, which picks it deterministically from the document.
   */
  instance(): string {
    return this.current
  }

  /** Makes `id` the canonical instance (the ledger calls this); the list is read again if it changed. */
  useInstance(id: string): void {
    if (id === this.current) return
    this.current = id
    this.listCache = undefined
    this.eligibleCache = undefined
  }

  /** Every instance id the document names, with how many peers its successorship list holds. */
  instanceMembers(): ReadonlyMap<string, number> {
    // The ledger asks on every fold: count again only when the list or the instances change.
    this.membersCache ??= this.countInstanceMembers()
    return this.membersCache
  }

  private countInstanceMembers(): Map<string, number> {
    const out = new Map<string, number>()
    for (const id of this.instances.keys()) out.set(id, 0)
    for (const entry of this.successors.toArray()) {
      if (typeof entry !== 'object' || entry === null) continue
      const i = (entry as { i?: unknown }).i
      const id = typeof i === 'string' ? i : ''
      out.set(id, (out.get(id) ?? 0) + 1)
    }
    return out
  }

  private instanceRecord(): { host?: unknown; code?: unknown } | undefined {
    const v = this.current === '' ? undefined : this.instances.get(this.current)
    return typeof v === 'object' && v !== null ? v : undefined
  }

  /** The initial host's GUID (the canonical instance's creator), once known. */
  initialHost(): PeerId | undefined {
    const rec = this.instanceRecord()
    const v = rec !== undefined ? rec.host : this.meta.get('initialHost')
    return typeof v === 'string' ? (v as PeerId) : undefined
  }

  /** The app's server-code identity, once known. */
  code(): string | undefined {
    const rec = this.instanceRecord()
    const v = rec !== undefined ? rec.code : this.meta.get('code')
    return typeof v === 'string' ? v : undefined
  }

  /**
   * The successorship list of the canonical instance: every listed peer, in order, duplicates
   * and malformed entries dropped.
   */
  successorList(): ReadonlyArray<{ id: PeerId; code: string }> {
    this.listCache ??= this.readSuccessors()
    return this.listCache
  }

  private readSuccessors(): Array<{ id: PeerId; code: string }> {
    const seen = new Set<string>()
    const out: Array<{ id: PeerId; code: string }> = []
    for (const entry of this.successors.toArray()) {
      if (typeof entry !== 'object' || entry === null) continue
      const { id, code, i } = entry as { id?: unknown; code?: unknown; i?: unknown }
      if ((typeof i === 'string' ? i : '') !== this.current) continue
      if (typeof id !== 'string' || typeof code !== 'string' || seen.has(id)) continue
      seen.add(id)
      out.push({ id: id as PeerId, code })
    }
    return out
  }

  /**
   * Current members: eligible peers whose membership was not retired, in successorship order
   * (a peer that re-joined stands where its new entry is). Candidacy, the view and quorum
   * majorities count these; without a membership hook, every eligible peer.
   */
  members(): readonly PeerId[] {
    return this.membersOf?.() ?? this.eligible()
  }

  /** Peers ever eligible to be server: listed with the app's code identity, in order of first listing. Their terms count. */
  eligible(): readonly PeerId[] {
    if (this.eligibleCache !== undefined) return this.eligibleCache
    const code = this.code()
    const list = code === undefined ? [] : this.successorList().filter((e) => e.code === code).map((e) => e.id)
    this.eligibleCache = list
    return list
  }
}

export { decisionKey, parseDecisionKey } from './decisionKeys.js'

/** The sender of a request, from its id. */
export function requestSender(requestId: string): PeerId | undefined {
  const slash = requestId.indexOf('/')
  return slash > 0 ? (requestId.slice(0, slash) as PeerId) : undefined
}

/** Validates a decision read from the document. */
export function asDecision(value: unknown): DecisionRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const d = value as Record<string, unknown>
  if (!(d.r === null || typeof d.r === 'string') || !Array.isArray(d.o)) return undefined
  for (const op of d.o) {
    if (typeof op !== 'object' || op === null) return undefined
    const hasSet = 'set' in op && typeof op.set === 'object' && op.set !== null && !Array.isArray(op.set)
    if (!hasSet && !('patch' in op)) return undefined
  }
  if (d.e !== undefined && typeof d.e !== 'string') return undefined
  if (d.s !== undefined && typeof d.s !== 'string') return undefined
  if (d.c !== undefined && (d.r !== null || d.o.length > 0)) return undefined
  return d as unknown as DecisionRecord
}
