import type * as Y from 'yjs'
import { requestSender } from '../coordinator/AppDoc.js'
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
  /** Key of the decision that answered it (`"<term>#<seq>"`). */
  readonly decision?: string
}

/** A conflict resolved after a partition: `request` was re-decided because its first decision was fenced. */
export interface Conflict {
  readonly request: string
  readonly decision: CanonicalDecision
  readonly fenced: string
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
  private readonly delivered = new Set<string>()
  private requests: readonly RequestState[] = []
  private readonly requestListeners = new Set<() => void>()
  private readonly offLedger: () => void
  private readonly offCommit: () => void
  /** Decided but not yet committed (quorum mode): reported once the coordinator says a majority holds them. */
  private readonly uncommitted = new Map<string, CanonicalDecision>()

  constructor(readonly peer: Peer) {
    this.session = randomHex(peer.random, 4)
    this.offLedger = peer.ledger.listen({
      decided: (id, d) => this.onDecided(id, d),
      conflict: (request, decision, fenced) => {
        for (const l of this.conflictListeners) l({ request, decision, fenced })
      }
    })
    this.offCommit = peer.coordinator.onCommit(() => {
      for (const [id, d] of this.uncommitted) {
        if (this.peer.ledger.decisionFor(id)?.key !== d.key) this.uncommitted.delete(id)
        else if (this.peer.coordinator.isCommitted(d)) {
          this.uncommitted.delete(id)
          this.deliver(id, d)
        }
      }
    })
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
    const id = `${this.peer.self}/${this.session}.${this.seq++}`
    this.setRequest({ id, msg, status: SendStatus.Pending })
    const result = new Promise<SendResult>((resolve) => this.waiting.set(id, resolve))
    this.peer.doc.transact(() => {
      this.peer.app.requests.set(id, { m: msg })
      this.peer.signRequest(id, { m: msg })
    })
    return result
  }

  /** Receives every reply addressed to this peer; returns the unsubscribe function. */
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

  /** Requests sent through this connection, with their status (same array while unchanged). */
  getRequests(): readonly RequestState[] {
    return this.requests
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
    for (const [id, resolve] of this.waiting) resolve({ status: 'failed', id, error: new StoppedError('connection') })
    this.waiting.clear()
  }

  private onDecided(id: string, d: CanonicalDecision): void {
    if (requestSender(id) !== this.peer.self || this.delivered.has(d.key)) return
    if (!this.peer.coordinator.isCommitted(d)) {
      this.uncommitted.set(id, d)
      return
    }
    this.deliver(id, d)
  }

  private deliver(id: string, d: CanonicalDecision): void {
    if (this.delivered.has(d.key)) return
    this.delivered.add(d.key)
    const resolve = this.waiting.get(id)
    this.waiting.delete(id)
    const { y: reply, e: error } = d.record
    const term = parseTermKey(d.term)
    const epoch = term?.epoch ?? 0
    const by = (term?.leader ?? '') as PeerId
    if (error !== undefined) {
      this.patchRequest(id, { status: SendStatus.Failed, error, decision: d.key })
      resolve?.({ status: 'failed', id, error: new HandlerError(error) })
      return
    }
    this.patchRequest(id, { status: SendStatus.Acknowledged, decision: d.key, ...(reply === undefined ? {} : { reply }) })
    resolve?.({ status: 'acknowledged', id, reply, epoch, by })
    if (reply !== undefined) for (const r of this.receivers) r(reply)
  }

  private setRequest(state: RequestState): void {
    this.requests = [...this.requests, state]
    for (const l of this.requestListeners) l()
  }

  private patchRequest(id: string, patch: Partial<RequestState>): void {
    let hit = false
    this.requests = this.requests.map((r) => (r.id === id ? ((hit = true), { ...r, ...patch }) : r))
    if (hit) for (const l of this.requestListeners) l()
  }
}
