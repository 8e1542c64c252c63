import { type Clock, type PeerId, type Transport, type TransportEvents } from '@sship/core'
import { ReplayWindow, systemClock, type TimerHandle } from '@sship/core/internals'
import { LinkStateTable, type LinkState } from './LinkStateTable.js'
import { decodeMeshFrame, encodeMeshFrame, MeshType, type BroadcastFrame, type LinksFrame, type RoutedFrame } from './meshFrames.js'
import type { RelayStats, RelayTransportOptions } from './RelayTransportOptions.js'

/** Broadcast ids kept per origin for duplicate suppression. */
const DEDUP_WINDOW = 1024

/**
 * A routing layer beneath core: presents every peer reachable over any chain of links as a peer,
 * so core (coordinator heartbeats, decisions, sync) runs unchanged on a mesh where each device
 * holds only a few links. Link state is flooded (each peer advertises its neighbours; routes are
 * breadth-first over links both ends advertise); unicast frames go hop by hop with a hop limit; a
 * frame sent to most peers in one burst (a heartbeat, a sync update) travels once down the
 * sender's breadth-first tree — n − 1 transmissions, as a central server's fan-out — with ids
 * that receivers deduplicate in a bounded window.
 *
 * Liveness: a peer is reported `peerLeft` only when no route reaches it any more (every
 * neighbour of a crashed peer drops its link and re-advertises), so a missing or broken link
 * between two live peers is not a departure; a crashed coordinator is.
 *
 * @example
 * ```ts
 * const transport = new RelayTransport({ inner: webrtcTransport })
 * const server = initServer({ app, transport })
 * ```
 */
export class RelayTransport implements Transport {
  readonly localPeer: PeerId
  /** Counters since creation. */
  readonly stats: RelayStats = { sent: { direct: 0, unicast: 0, broadcast: 0, links: 0 }, forwarded: 0, duplicates: 0, dropped: 0 }
  private readonly inner: Transport
  private readonly clock: Clock
  private readonly table: LinkStateTable
  private readonly incarnation: number
  private readonly ttl: number
  private readonly defer: (fn: () => void) => void
  private readonly neighbours = new Set<PeerId>()
  private reachable: ReadonlySet<PeerId> = new Set()
  private readonly seen = new Map<PeerId, { incarnation: number; window: ReplayWindow }>()
  private pending: Array<{ to: PeerId; data: Uint8Array }> = []
  private events: TransportEvents | undefined
  private readonly signalHandlers = new Set<(from: PeerId, payload: Uint8Array) => void>()
  private readonly changeListeners = new Set<() => void>()
  private refreshTimer: TimerHandle | undefined
  private seq = 0
  private broadcastId = 0
  private closed = false

  constructor(private readonly options: RelayTransportOptions) {
    this.inner = options.inner
    this.localPeer = options.inner.localPeer
    this.clock = options.clock ?? systemClock
    this.incarnation = Math.floor(options.incarnation ?? Date.now())
    this.ttl = Math.max(1, Math.min(32, options.ttl ?? 8))
    // Called bare, not as a method: a browser throws "Illegal invocation" for a detached queueMicrotask.
    this.defer = options.defer ?? ((fn) => queueMicrotask(fn))
    this.table = new LinkStateTable(this.localPeer, options.maxPeers ?? 1024)
  }

  connect(events: TransportEvents): void {
    if (this.closed || this.events !== undefined) return
    this.events = events
    this.advertise()
    this.inner.connect({
      peerJoined: (p) => this.guard(p, () => {
        this.neighbours.add(p)
        this.advertise()
        for (const s of this.table.all()) this.sendInner(p, linksFrame(s))
        this.recompute()
      }),
      peerLeft: (p) => this.guard(p, () => {
        this.neighbours.delete(p)
        this.advertise()
        this.recompute()
      }),
      frame: (from, data) => this.guard(from, () => this.onFrame(from, data))
    })
    this.scheduleRefresh()
  }

  send(to: PeerId, data: Uint8Array): void {
    if (this.closed || !this.reachable.has(to)) return
    if (this.pending.length === 0) this.defer(() => this.flush())
    this.pending.push({ to, data })
  }

  peers(): ReadonlySet<PeerId> {
    return this.reachable
  }

  /** The peers this one holds a link to (a subset of {@link RelayTransport.peers}). */
  links(): ReadonlySet<PeerId> {
    return this.neighbours
  }

  /**
   * Sends a WebRTC signal (offer, answer, candidate) to `to` through the mesh, hop by hop: the
   * signaling that works when every signaling server (every Node host) is gone. False if no route.
   */
  sendSignal(to: PeerId, payload: Uint8Array): boolean {
    if (this.closed) return false
    const hop = this.neighbours.has(to) ? to : this.table.routes().get(to)
    if (hop === undefined || !this.neighbours.has(hop)) return false
    this.sendInner(hop, encodeMeshFrame({ type: MeshType.Signal, ttl: this.ttl, origin: this.localPeer, dest: to, payload }), 'unicast')
    return true
  }

  /** Listens for signals sent to this peer through the mesh; returns the unsubscribe function. */
  onSignal(handler: (from: PeerId, payload: Uint8Array) => void): () => void {
    this.signalHandlers.add(handler)
    return () => this.signalHandlers.delete(handler)
  }

  /**
   * Calls `listener` after this peer's links or the routes changed (a link up or down, a
   * neighbour's advertisement); returns the unsubscribe function. A {@link MeshHealer} listens.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  close(): void {
    if (this.closed) return
    this.signalHandlers.clear()
    this.changeListeners.clear()
    this.closed = true
    this.events = undefined
    this.pending = []
    if (this.refreshTimer !== undefined) this.clock.clearTimeout(this.refreshTimer)
    this.inner.close()
  }

  private flush(): void {
    const batch = this.pending
    this.pending = []
    if (this.closed) return
    this.syncLinks()
    const groups = new Map<Uint8Array, Set<PeerId>>()
    for (const { to, data } of batch) {
      const g = groups.get(data) ?? new Set<PeerId>()
      g.add(to)
      groups.set(data, g)
    }
    for (const [data, targets] of groups) {
      // The tree pays off when most peers are addressed; the rest are named as excluded.
      if (targets.size >= 2 && targets.size * 2 >= this.reachable.size) this.broadcast(data, targets)
      else for (const to of targets) this.unicast(to, data)
    }
  }

  private broadcast(payload: Uint8Array, targets: ReadonlySet<PeerId>): void {
    const excluded = [...this.reachable].filter((p) => !targets.has(p))
    const frame = encodeMeshFrame({ type: MeshType.Broadcast, ttl: this.ttl, origin: this.localPeer, id: ++this.broadcastId, excluded, payload })
    for (const child of this.table.children(this.localPeer)) this.sendInner(child, frame, 'broadcast')
  }

  private unicast(to: PeerId, payload: Uint8Array): void {
    if (this.neighbours.has(to)) {
      this.sendInner(to, encodeMeshFrame({ type: MeshType.Direct, payload }), 'direct')
      return
    }
    const hop = this.table.routes().get(to)
    if (hop === undefined || !this.neighbours.has(hop)) {
      this.stats.dropped++
      return
    }
    this.sendInner(hop, encodeMeshFrame({ type: MeshType.Unicast, ttl: this.ttl, origin: this.localPeer, dest: to, payload }), 'unicast')
  }

  private onFrame(from: PeerId, data: Uint8Array): void {
    const decoded = decodeMeshFrame(data)
    if (!decoded.ok) {
      this.stats.dropped++
      this.report(new Error(`undecodable mesh frame: ${decoded.reason}`), from)
      return
    }
    const f = decoded.frame
    switch (f.type) {
      case MeshType.Direct:
        this.deliver(from, f.payload)
        return
      case MeshType.Unicast:
      case MeshType.Signal:
        this.onUnicast(f)
        return
      case MeshType.Broadcast:
        this.onBroadcast(from, f)
        return
      case MeshType.Links:
        this.onLinks(from, f)
        return
      case MeshType.Digest:
        // A neighbour's database differs from ours: hand it ours; it floods what is newer.
        if (f.hash !== this.table.digest() || f.entries !== this.table.size) for (const s of this.table.all()) this.sendInner(from, linksFrame(s))
        return
    }
  }

  private onUnicast(f: RoutedFrame): void {
    if (f.dest === this.localPeer) {
      if (f.type === MeshType.Unicast) this.deliver(f.origin, f.payload)
      else for (const h of this.signalHandlers) h(f.origin, f.payload)
      return
    }
    const hop = this.neighbours.has(f.dest) ? f.dest : this.table.routes().get(f.dest)
    if (f.ttl <= 1 || hop === undefined || !this.neighbours.has(hop)) {
      this.stats.dropped++
      return
    }
    this.stats.forwarded++
    this.sendInner(hop, encodeMeshFrame({ ...f, ttl: f.ttl - 1 }), 'unicast')
  }

  private onBroadcast(from: PeerId, f: BroadcastFrame): void {
    if (f.origin === this.localPeer || !this.fresh(f.origin, f.id)) {
      this.stats.duplicates++
      return
    }
    if (f.ttl > 1) {
      const copy = encodeMeshFrame({ ...f, ttl: f.ttl - 1 })
      for (const child of this.table.children(f.origin)) {
        if (child === from || !this.neighbours.has(child)) continue
        this.stats.forwarded++
        this.sendInner(child, copy, 'broadcast')
      }
    }
    if (!f.excluded.includes(this.localPeer)) this.deliver(f.origin, f.payload)
  }

  private onLinks(from: PeerId, f: LinksFrame): void {
    if (f.origin === this.localPeer) return
    const state: LinkState = { origin: f.origin, incarnation: f.incarnation, seq: f.seq, neighbours: f.neighbours }
    if (!this.table.accept(state)) return
    const frame = linksFrame(state)
    for (const n of this.neighbours) if (n !== from) this.sendInner(n, frame, 'links')
    this.recompute()
  }

  /** True the first time (origin, id) is seen in origin's current incarnation. */
  private fresh(origin: PeerId, id: number): boolean {
    const incarnation = this.table.get(origin)?.incarnation ?? 0
    let s = this.seen.get(origin)
    if (s === undefined || s.incarnation !== incarnation) {
      if (s === undefined && this.seen.size >= (this.options.maxPeers ?? 1024)) {
        const oldest = this.seen.keys().next().value
        if (oldest !== undefined) this.seen.delete(oldest)
      }
      s = { incarnation, window: new ReplayWindow(DEDUP_WINDOW) }
      this.seen.set(origin, s)
    }
    if (s.window.check(id) !== 'fresh') return false
    s.window.accept(id)
    return true
  }

  private deliver(from: PeerId, payload: Uint8Array): void {
    // Frames only from peers already announced (a route can lag its first frame by a moment).
    if (this.reachable.has(from)) this.events?.frame(from, payload)
    else this.stats.dropped++
  }

  /**
   * Links can change without an event (a silent crash: the inner transport's `peers()` drops the
   * peer first, and a capped mesh may then want another link). Checked before each burst of sends
   * and at each refresh, so routes follow the links that exist.
   */
  private syncLinks(): void {
    const live = this.inner.peers()
    const added: PeerId[] = []
    let changed = false
    for (const n of this.neighbours) {
      if (live.has(n)) continue
      this.neighbours.delete(n)
      changed = true
    }
    for (const p of live) {
      if (this.neighbours.has(p)) continue
      this.neighbours.add(p)
      added.push(p)
      changed = true
    }
    if (!changed) return
    this.advertise()
    for (const p of added) for (const s of this.table.all()) this.sendInner(p, linksFrame(s))
    this.recompute()
  }

  private advertise(): void {
    const state: LinkState = { origin: this.localPeer, incarnation: this.incarnation, seq: ++this.seq, neighbours: [...this.neighbours] }
    this.table.accept(state)
    const frame = linksFrame(state)
    for (const n of this.neighbours) this.sendInner(n, frame, 'links')
  }

  private recompute(): void {
    const next = new Set<PeerId>(this.neighbours)
    for (const p of this.table.routes().keys()) next.add(p)
    const before = this.reachable
    this.reachable = next
    for (const p of before) if (!next.has(p)) this.events?.peerLeft(p)
    for (const p of next) if (!before.has(p)) this.events?.peerJoined(p)
    for (const listener of this.changeListeners) listener()
  }

  private scheduleRefresh(): void {
    const every = this.options.refreshMs ?? 5000
    if (every <= 0 || this.closed) return
    this.refreshTimer = this.clock.setTimeout(() => {
      this.syncLinks()
      // Anti-entropy: a flooded advertisement can be lost; neighbours whose databases differ swap them.
      const digest = encodeMeshFrame({ type: MeshType.Digest, hash: this.table.digest(), entries: this.table.size })
      for (const n of this.neighbours) this.sendInner(n, digest)
      this.scheduleRefresh()
    }, every)
  }

  private sendInner(to: PeerId, frame: Uint8Array, kind: keyof RelayStats['sent'] = 'links'): void {
    this.stats.sent[kind]++
    this.inner.send(to, frame)
  }

  private guard(peer: PeerId | undefined, run: () => void): void {
    if (this.closed) return
    try {
      run()
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)), peer)
    }
  }

  private report(error: Error, peer: PeerId | undefined): void {
    try {
      this.options.onError?.(error, peer)
    } catch {
      // An error callback must not take the mesh down.
    }
  }
}

function linksFrame(s: LinkState): Uint8Array {
  return encodeMeshFrame({ type: MeshType.Links, origin: s.origin, incarnation: s.incarnation, seq: s.seq, neighbours: s.neighbours })
}
