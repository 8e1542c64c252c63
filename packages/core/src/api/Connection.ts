import type * as Y from 'yjs'
import { parseTermKey } from '../coordinator/Term.js'
import type { CoordinatorSnapshot } from '../coordinator/CoordinatorSnapshot.js'
import type { Json, JsonObject } from '../coordinator/json.js'
import type { CanonicalDecision } from '../coordinator/Ledger.js'
import { HandlerError, SshipError, StoppedError } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import type { Peer } from '../peer/Peer.js'
import type { SshipEvent } from '../peer/SshipEvent.js'
import { randomHex } from '../random/Random.js'

/** Where a sent request stands. */
export const SendStatus = {
  /** Recorded in the document; no coordinator has decided it yet. */
  Pending: 'pending',
  /** Decided by the coordinator; the reply (if any) is in `reply`. */
  Acknowledged: 'acknowledged',
  /** The server code threw, or the connection was closed before a decision. */
  Failed: 'failed'
} as const
/** One of {@link SendStatus}'s values. */
export type SendStatus = (typeof SendStatus)[keyof typeof SendStatus]

/** The outcome of {@link Connection.send}. The promise never rejects. */
export type SendResult =
  | { readonly status: 'acknowledged'; readonly id: string; readonly reply: Json | undefined; readonly epoch: number; readonly by: PeerId }
  | { readonly status: 'failed'; readonly id: string; readonly error: SshipError }

/** A request of this connection and its state, as shown in {@link Connection.getRequests}. */
export interface RequestState {
  readonly id: string
  readonly msg: Json
  readonly status: SendStatus
  readonly reply?: Json
  readonly error?: string
  /**
   * Set when this replica learned of the decision only through a checkpoint (it was away while
   * the request was decided and its history compacted): decided, but the reply is gone.
   */
  readonly replyCompacted?: boolean
  /** Key of the decision that answered it (`"<term>#<seq>"`). */
  readonly decision?: string
  /**
   * Set when an answer this connection had reported as acknowledged was fenced and the request
   * re-decided (availability mode, after a partition or failover): the earlier answer, which no
   * longer counts. `reply`/`error` and `decision` are the answer that counts now.
   */
  readonly redecided?: { readonly decision: string; readonly reply?: Json; readonly error?: string }
}

/**
 * A request decided twice: `decision` counts, the earlier decision `fenced` does not (it was made
 * by a deposed coordinator, or on a side of a partition that lost, or on a history the new
 * coordinator could not see). Reported once per pair on every replica that holds both.
 */
export interface Conflict {
  readonly request: string
  /** The decision that counts now. */
  readonly decision: CanonicalDecision
  /** Key of the fenced decision. */
  readonly fenced: string
  /** The fenced decision's reply, if it had one (what its sender may have been told). */
  readonly fencedReply?: Json
  /** The fenced decision's error, if the handler threw. */
  readonly fencedError?: string
  /** On the sender's connection: whether it had reported the fenced answer as acknowledged. */
  readonly acknowledged: boolean
}

/**
 * The client side of an app (the proposal's `sship.connect(name)`): sends requests to whichever
 * peer is the server now, receives replies, reads the replicated state. Requests are durable
 * entries in the document, so a send survives any failover and is decided exactly once.
 */
export class Connection {
  private readonly session: string
  private seq = 0
  private readonly receivers = new Set<(msg: Json) => void>()
  private readonly conflictListeners = new Set<(c: Conflict) => void>()
  private readonly waiting = new Map<string, (r: SendResult) => void>()
  /** The decision each request still in {@link Connection.requestLog} was last answered with. */
  private readonly answered = new Map<string, string>()
  /** This connection's requests by id, oldest first (a Map keeps insertion order): O(1) per send and decision. */
  private readonly requestLog = new Map<string, RequestState>()
  /** Ids of settled requests, oldest first: the history kept is bounded by {@link Connection.settledKept}. */
  private readonly settled: string[] = []
  private settledHead = 0
  /** The array {@link Connection.getRequests} returns; rebuilt on demand only after a change. */
  private requestsSnapshot: readonly RequestState[] | undefined = []
  private readonly requestListeners = new Set<() => void>()
  private readonly offLedger: () => void
  private readonly offCommit: () => void
  private readonly offChain: () => void
  /** The base checkpoint whose skipped decisions {@link Connection.settleCheckpointed} last checked. */
  private checkpointSeen = ''
  /** Decided but not yet committed: reported once the coordinator says a majority holds them (quorum mode) or a second peer does (availability mode). */
  private readonly uncommitted = new Map<string, CanonicalDecision>()

  /** Ids of this connection's requests start with it: the reply routing key. */
  private readonly prefix: string

  /**
   * @param peer The peer this connection sends through.
   * @param settledKept How many settled requests {@link Connection.getRequests} keeps (pending ones are always kept). Default 1000.
   */
  constructor(readonly peer: Peer, private readonly settledKept = 1000) {
    this.session = randomHex(peer.random, 4)
    this.prefix = `${peer.self}/${this.session}.`
    this.offLedger = peer.ledger.listen({
      decided: (id, d) => this.onDecided(id, d),
      conflict: (request, decision, fenced) => {
        const record = peer.ledger.decisionAt(fenced)
        const conflict: Conflict = {
          request, decision, fenced, acknowledged: this.answered.get(request) === fenced,
          ...(record?.y !== undefined ? { fencedReply: record.y } : {}), ...(record?.e !== undefined ? { fencedError: record.e } : {})
        }
        for (const l of this.conflictListeners) l(conflict)
      }
    })
    this.offCommit = peer.coordinator.onCommit(() => this.deliverCommitted())
    // Whether a decision is committed also depends on the chain: the term records that link it to
    // the coordinator's term may arrive after the decision and after the last commit notice.
    this.offChain = peer.ledger.listen({
      changed: () => {
        this.deliverCommitted()
        this.settleCheckpointed()
      }
    })
  }

  /**
   * Requests this connection still waits on that a checkpoint records as decided: this replica
   * came back after their decisions were folded into a checkpoint (and may be deleted). They are
   * acknowledged without a reply, which is gone with the decision; `getRequests()` says so.
   */
  private settleCheckpointed(): void {
    const ledger = this.peer.ledger
    const base = ledger.base()
    if (base === null) return
    // A fold that moved to a newer checkpoint may have skipped decisions this replica holds (they
    // arrived with the checkpoint): answered requests follow their canonical decision there too.
    if (base.key !== this.checkpointSeen) {
      this.checkpointSeen = base.key
      for (const [id, key] of [...this.answered]) {
        const d = ledger.decisionFor(id) === undefined ? ledger.checkpointedDecision(id) : undefined
        if (d !== undefined && d.key !== key) this.onDecided(id, d)
      }
    }
    for (const [id, resolve] of [...this.waiting]) {
      if (this.answered.has(id) || this.uncommitted.has(id) || !ledger.coveredByCheckpoint(id)) continue
      const d = ledger.checkpointedDecision(id)
      if (d !== undefined) {
        this.onDecided(id, d)
        continue
      }
      // The decision is gone: the checkpoint (once committed, in quorum mode) is all there is.
      const at: CanonicalDecision = { key: base.key, term: base.term, seq: base.seq, record: { r: null, o: [] } }
      if (!this.peer.coordinator.isCommitted(at)) continue
      this.waiting.delete(id)
      this.answered.set(id, base.key)
      const term = parseTermKey(base.term)
      this.patchRequest(id, { status: SendStatus.Acknowledged, decision: base.key, replyCompacted: true })
      resolve({ status: 'acknowledged', id, reply: undefined, epoch: term?.epoch ?? 0, by: (term?.leader ?? '') as PeerId })
    }
  }

  /** Reports the decisions that waited for a majority and have one now (quorum mode). */
  private deliverCommitted(): void {
    if (this.uncommitted.size === 0) return
    for (const [id, d] of this.uncommitted) {
      if ((this.peer.ledger.decisionFor(id) ?? this.peer.ledger.checkpointedDecision(id))?.key !== d.key) this.uncommitted.delete(id)
      else if (this.peer.coordinator.isCommitted(d)) {
        this.uncommitted.delete(id)
        this.deliver(id, d)
      }
    }
  }

  /** The app's shared data for commutative writes from any peer (works offline; syncs later). */
  get data(): Y.Map<unknown> {
    return this.peer.app.data
  }

  /** The replicated document. */
  get doc(): Y.Doc {
    return this.peer.doc
  }

  /**
   * Sends `msg` to the server code. The request is recorded in the replicated document at once
   * and decided by whichever peer is coordinator, exactly once, even across failovers.
   * Resolves when it is decided; never rejects.
   */
  send(msg: Json): Promise<SendResult> {
    if (this.peer.isStopped) return Promise.resolve({ status: 'failed', id: '', error: new StoppedError('connection') })
    const id = `${this.prefix}${this.seq++}`
    this.setRequest({ id, msg, status: SendStatus.Pending })
    const result = new Promise<SendResult>((resolve) => this.waiting.set(id, resolve))
    this.peer.doc.transact(() => {
      this.peer.app.requests.set(id, { m: msg })
      this.peer.signRequest(id, { m: msg })
    })
    return result
  }

  /** Receives every reply to a request sent through this connection; returns the unsubscribe function. */
  onReceive(receiver: (msg: Json) => void): () => void {
    this.receivers.add(receiver)
    return () => this.receivers.delete(receiver)
  }

  /**
   * Observes the peer's events (readiness, server changes, role, links, conflicts, stop), one
   * typed value each; returns the unsubscribe function. See {@link SshipEvent}.
   */
  onEvent(listener: (event: SshipEvent) => void): () => void {
    return this.peer.onEvent(listener)
  }

  /**
   * Resolves once this connection is linked to the server, knows it, and holds its history (so
   * what it shows is current); at once if so now. Rejects with `StoppedError` if the peer stops first.
   */
  whenReady(): Promise<void> {
    return this.peer.whenReady()
  }

  /** Hears about requests re-decided after a partition healed; returns the unsubscribe function. */
  onConflict(listener: (c: Conflict) => void): () => void {
    this.conflictListeners.add(listener)
    return () => this.conflictListeners.delete(listener)
  }

  /** The server state, as decided by the coordinators (same object while unchanged). */
  getState(): JsonObject {
    return this.peer.ledger.state()
  }

  /** Calls `listener` when {@link Connection.getState} changes; returns the unsubscribe function. */
  subscribeState(listener: () => void): () => void {
    let last = this.getState()
    return this.peer.ledger.listen({
      changed: () => {
        const now = this.getState()
        if (now === last) return
        last = now
        listener()
      }
    })
  }

  /**
   * Requests sent through this connection, oldest first, with their status (same array while
   * unchanged): every pending one and the last `settledKept` settled ones, so a connection used
   * all semester holds a bounded history.
   */
  getRequests(): readonly RequestState[] {
    this.requestsSnapshot ??= [...this.requestLog.values()]
    return this.requestsSnapshot
  }

  /** Calls `listener` when {@link Connection.getRequests} changes; returns the unsubscribe function. */
  subscribeRequests(listener: () => void): () => void {
    this.requestListeners.add(listener)
    return () => this.requestListeners.delete(listener)
  }

  /** The coordinator snapshot (see {@link CoordinatorSnapshot}). */
  getSnapshot(): CoordinatorSnapshot {
    return this.peer.coordinator.getSnapshot()
  }

  /** Subscribes to coordinator snapshot changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    return this.peer.coordinator.subscribe(listener)
  }

  /** Stops listening; pending sends resolve as failed (they stay in the document and may still be decided). */
  close(): void {
    this.offLedger()
    this.offCommit()
    this.offChain()
    for (const [id, resolve] of this.waiting) resolve({ status: 'failed', id, error: new StoppedError('connection') })
    this.waiting.clear()
  }

  private onDecided(id: string, d: CanonicalDecision): void {
    // Another connection on this peer (or an earlier session) sent it: its replies are not ours.
    // A request settled long ago and forgotten is not reported twice either.
    // Only a change of answer counts: after forks resolve one way and then the other, a request
    // may come back to a decision it had before, and its state must show that one again.
    if (!id.startsWith(this.prefix) || !this.requestLog.has(id) || this.answered.get(id) === d.key) return
    if (!this.peer.coordinator.isCommitted(d)) {
      this.uncommitted.set(id, d)
      return
    }
    this.deliver(id, d)
  }

  private deliver(id: string, d: CanonicalDecision): void {
    if (this.answered.get(id) === d.key) return
    const resolve = this.waiting.get(id)
    this.waiting.delete(id)
    const { y: reply, e: error } = d.record
    const term = parseTermKey(d.term)
    const epoch = term?.epoch ?? 0
    const by = (term?.leader ?? '') as PeerId
    // An earlier answer that no longer counts: the request shows it was re-decided.
    const before = this.answered.get(id)
    this.answered.set(id, d.key)
    const earlier = before === undefined ? undefined : this.peer.ledger.decisionAt(before)
    const redecided = before === undefined
      ? {}
      : { redecided: { decision: before, ...(earlier?.y !== undefined ? { reply: earlier.y } : {}), ...(earlier?.e !== undefined ? { error: earlier.e } : {}) } }
    if (error !== undefined) {
      this.patchRequest(id, { status: SendStatus.Failed, error, decision: d.key, reply: undefined, ...redecided })
      resolve?.({ status: 'failed', id, error: new HandlerError(error) })
      return
    }
    this.patchRequest(id, { status: SendStatus.Acknowledged, decision: d.key, error: undefined, reply, ...redecided })
    resolve?.({ status: 'acknowledged', id, reply, epoch, by })
    if (reply !== undefined) for (const r of this.receivers) r(reply)
  }

  private setRequest(state: RequestState): void {
    this.requestLog.set(state.id, state)
    this.changedRequests()
  }

  private patchRequest(id: string, patch: Partial<RequestState>): void {
    const before = this.requestLog.get(id)
    if (before === undefined) return
    this.requestLog.set(id, { ...before, ...patch })
    if (before.status === SendStatus.Pending && patch.status !== undefined && patch.status !== SendStatus.Pending) this.settle(id)
    this.changedRequests()
  }

  /** Remembers `id` as settled and forgets the oldest settled requests beyond the bound. */
  private settle(id: string): void {
    this.settled.push(id)
    while (this.settled.length - this.settledHead > this.settledKept) {
      const old = this.settled[this.settledHead++]!
      this.requestLog.delete(old)
      this.answered.delete(old)
    }
    // Compact the queue of settled ids now and then (amortised O(1)).
    if (this.settledHead > 1024 && this.settledHead * 2 > this.settled.length) {
      this.settled.splice(0, this.settledHead)
      this.settledHead = 0
    }
  }

  private changedRequests(): void {
    this.requestsSnapshot = undefined
    for (const l of this.requestListeners) l()
  }
}
