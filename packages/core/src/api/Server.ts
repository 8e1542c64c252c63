import type * as Y from 'yjs'
import type { CoordinatorSnapshot } from '../coordinator/CoordinatorSnapshot.js'
import type { Json, JsonObject } from '../coordinator/json.js'
import type { ServerHandler } from '../coordinator/RequestProcessor.js'
import type { Peer } from '../peer/Peer.js'
import type { SshipEvent } from '../peer/SshipEvent.js'

/**
 * The server side of an app (the proposal's `sship.initServer(name)`). Every peer that calls
 * `initServer` with the same code identity is eligible; the handler runs only on whichever of
 * them is the coordinator at the time.
 */
export class Server {
  constructor(readonly peer: Peer) {}

  /**
   * Registers the server code: `handler(msg, src)` runs on the coordinator once per request,
   * and its return value is the reply to `src`. Returns a function that removes it.
   */
  onReceive(handler: ServerHandler): () => void {
    const off = this.peer.coordinator.processor.setHandler(handler)
    this.peer.coordinator.processor.drain(() => this.isServer())
    return off
  }

  /** Replaces the server state. Inside a handler, part of that request's decision. */
  commitState(state: JsonObject): void {
    this.peer.assertRunning()
    this.peer.coordinator.processor.commit({ set: state })
  }

  /** Merges `change` into the server state (JSON Merge Patch: `null` deletes a key). */
  commitChange(change: Json): void {
    this.peer.assertRunning()
    this.peer.coordinator.processor.commit({ patch: change })
  }

  /** The current server state (same object while unchanged). */
  getState(): JsonObject {
    return this.peer.ledger.state()
  }

  /** True while this peer is the coordinator. */
  isServer(): boolean {
    return this.peer.coordinator.getSnapshot().isServer
  }

  /** The app's shared data for commutative writes (any peer, offline too). */
  get data(): Y.Map<unknown> {
    return this.peer.app.data
  }

  /** The coordinator snapshot. */
  getSnapshot(): CoordinatorSnapshot {
    return this.peer.coordinator.getSnapshot()
  }

  /** Subscribes to coordinator snapshot changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    return this.peer.coordinator.subscribe(listener)
  }

  /**
   * Observes the peer's events (readiness, server changes, this peer's role, links, conflicts,
   * stop), one typed value each; returns the unsubscribe function. See {@link SshipEvent}.
   */
  onEvent(listener: (event: SshipEvent) => void): () => void {
    return this.peer.onEvent(listener)
  }

  /**
   * Resolves once this peer serves, or is linked to the server and holds its history; at once if
   * so now. Rejects with `StoppedError` if it stops first.
   */
  whenReady(): Promise<void> {
    return this.peer.whenReady()
  }

  /**
   * Tells the peer its page is hidden or frozen (`true`) or visible again (`false`): while hidden
   * it hands the server role off and does not stand as a candidate; on resume it re-syncs before
   * acting. Wire it to Page Visibility and `freeze`/`resume`/`pagehide` in a browser.
   */
  setHidden(hidden: boolean): void {
    this.peer.coordinator.setHidden(hidden)
  }

  /** Leaves the app. */
  stop(): void {
    this.peer.stop()
  }
}
