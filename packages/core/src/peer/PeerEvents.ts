import type { Clock } from '../clock/Clock.js'
import type { CoordinatorEvent } from '../coordinator/CoordinatorBase.js'
import type { CoordinatorSnapshot } from '../coordinator/CoordinatorSnapshot.js'
import { StoppedError } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import { ServerChange, type SshipEvent } from './SshipEvent.js'

/** What {@link PeerEvents} watches: the coordinator's snapshots and steps, the sync, the links. */
export interface PeerEventSources {
  readonly self: PeerId
  readonly clock: Clock
  /** True if the peer started from a kept history (terms already in its document). */
  readonly restored: boolean
  getSnapshot(): CoordinatorSnapshot
  subscribe(listener: () => void): () => void
  onCoordinatorEvent(listener: (e: CoordinatorEvent) => void): () => void
  /** True once `peer` answered our sync request since it last joined. */
  hasSyncedWith(peer: PeerId): boolean
  onSynced(listener: (peer: PeerId) => void): () => void
  linked(): ReadonlySet<PeerId>
}

/**
 * A peer's typed event stream and readiness, built on what the coordinator and the sync already
 * expose (snapshots, role steps, finished syncs) plus the transport's link callbacks. Server
 * changes are classified as a person would say them: before this peer is ready, nothing is
 * reported (the history it started from may name an old server); at ready, `joined` (or
 * `resumed`, if it started from a kept history); then `server-lost`, `failover`, `failback`
 * and `handoff` as they happen.
 */
export class PeerEvents {
  private readonly listeners = new Set<(e: SshipEvent) => void>()
  private readonly waiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>()
  private readonly offs: Array<() => void>
  private readonly restored: boolean
  private ready = false
  private stopped = false
  private role: CoordinatorSnapshot['role']
  /** The last server reported (after ready). */
  private last: PeerId | null = null
  private sawLoss = false

  constructor(private readonly src: PeerEventSources) {
    const first = src.getSnapshot()
    this.role = first.role
    this.restored = src.restored
    this.offs = [
      src.subscribe(() => this.onSnapshot()),
      src.onCoordinatorEvent((event) => this.emit({ type: 'coordinator', at: this.now(), event })),
      src.onSynced(() => this.checkReady())
    ]
  }

  /** Observes every event; returns the unsubscribe function. A throwing listener is skipped. */
  onEvent(listener: (e: SshipEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** True now if this peer is linked to the server and holds its history (or is the server). */
  isReady(): boolean {
    const s = this.src.getSnapshot()
    if (this.stopped || s.coordinator === null || s.failoverInProgress) return false
    return s.coordinator === this.src.self || (this.src.linked().has(s.coordinator) && this.src.hasSyncedWith(s.coordinator))
  }

  /** Resolves when {@link isReady} holds (at once if it does); rejects with `StoppedError` on stop. */
  whenReady(): Promise<void> {
    if (this.stopped) return Promise.reject(new StoppedError('peer'))
    if (this.isReady()) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.add({ resolve, reject }))
  }

  /** Reports an event that a source outside the coordinator saw (links, the conflict log). */
  emit(event: SshipEvent): void {
    for (const l of this.listeners) {
      try {
        l(event)
      } catch {
        // A listener's failure must not stop the others, nor the peer.
      }
    }
  }

  /** The transport's link to `peer` came up. */
  linkUp(peer: PeerId): void {
    this.emit({ type: 'link-up', at: this.now(), peer })
    this.checkReady()
  }

  /** The transport's link to `peer` went down. */
  linkDown(peer: PeerId): void {
    this.emit({ type: 'link-down', at: this.now(), peer })
  }

  /** The transport refused a link. */
  refused(peer: PeerId | undefined, code: string): void {
    this.emit({ type: 'link-refused', at: this.now(), peer, code })
  }

  /** The peer stopped: the last event, and every `whenReady` rejects. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    for (const off of this.offs) off()
    for (const w of this.waiters) w.reject(new StoppedError('peer'))
    this.waiters.clear()
    this.emit({ type: 'stopped', at: this.now() })
    this.listeners.clear()
  }

  private now(): number {
    return this.src.clock.now()
  }

  private onSnapshot(): void {
    const s = this.src.getSnapshot()
    if (s.role !== this.role) {
      const previous = this.role
      this.role = s.role
      this.emit({ type: 'role-changed', at: this.now(), role: s.role, previous, epoch: s.epoch })
    }
    if (!this.ready) {
      this.checkReady()
      return
    }
    this.classify(s)
    this.checkReady()
  }

  private checkReady(): void {
    if (!this.isReady()) return
    const s = this.src.getSnapshot()
    if (!this.ready && s.coordinator !== null) {
      this.ready = true
      this.last = s.coordinator
      this.emit({ type: 'server-changed', at: this.now(), change: this.restored ? ServerChange.Resumed : ServerChange.Joined, from: null, to: s.coordinator, epoch: s.epoch })
      this.emit({ type: 'ready', at: this.now(), server: s.coordinator, epoch: s.epoch })
    }
    for (const w of this.waiters) w.resolve()
    this.waiters.clear()
  }

  /** After ready: a loss, then the next server, named as a failover, a failback or a handoff. */
  private classify(s: CoordinatorSnapshot): void {
    const at = this.now()
    if (s.failoverInProgress && !this.sawLoss && this.last !== null) {
      this.sawLoss = true
      this.emit({ type: 'server-lost', at, server: this.last, epoch: s.epoch })
    }
    const now = s.coordinator
    if (now === null || s.failoverInProgress) return
    if (now === this.last) {
      // The same server was heard again before anyone took over (a hiccup).
      this.sawLoss = false
      return
    }
    const from = this.last
    const alive = from !== null && s.alive.includes(from)
    const change = now === s.initialHost && alive && !this.sawLoss ? ServerChange.Failback
      : this.sawLoss || !alive ? ServerChange.Failover : ServerChange.Handoff
    this.last = now
    this.sawLoss = false
    this.emit({ type: 'server-changed', at, change, from, to: now, epoch: s.epoch })
  }
}
