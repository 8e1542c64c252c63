import type { PeerId } from '@sship/core'

/** One peer's link-state advertisement: who it is linked to, as of (incarnation, seq). */
export interface LinkState {
  readonly origin: PeerId
  /** Grows across restarts of the same peer (its start time), so a restarted peer's advertisements win. */
  readonly incarnation: number
  /** Grows with every change within one incarnation. */
  readonly seq: number
  /** Sorted. */
  readonly neighbours: readonly PeerId[]
}

/**
 * The link-state database of a mesh peer (OSPF-style, bounded): the latest advertisement of
 * every peer heard of, the routes from this peer (breadth-first over links both ends advertise,
 * so a crashed peer's stale advertisement routes nothing once its neighbours drop it), and each
 * peer's broadcast tree. Deterministic: ties break by peer id, so every peer with the same
 * database computes the same trees. Pure: no timers, no I/O.
 */
export class LinkStateTable {
  private readonly states = new Map<PeerId, LinkState>()
  private readonly lastHeard = new Map<PeerId, number>()
  private nextHops: Map<PeerId, PeerId> | undefined
  private readonly trees = new Map<PeerId, Map<PeerId, PeerId[]>>()
  private heard = 0

  /** @param maxEntries - bound on remembered advertisements; the least recently heard unreachable ones go first. */
  constructor(readonly self: PeerId, private readonly maxEntries = 1024) {}

  /** Stores `state` if it is newer than what is known of its origin; true if stored. */
  accept(state: LinkState): boolean {
    const known = this.states.get(state.origin)
    if (known !== undefined && (state.incarnation < known.incarnation || (state.incarnation === known.incarnation && state.seq <= known.seq))) return false
    this.states.set(state.origin, { ...state, neighbours: [...new Set(state.neighbours)].sort() })
    this.lastHeard.set(state.origin, ++this.heard)
    this.changed()
    this.bound()
    return true
  }

  /** The stored advertisement of `peer`. */
  get(peer: PeerId): LinkState | undefined {
    return this.states.get(peer)
  }

  /** Every stored advertisement (to hand a new neighbour the whole database). */
  all(): LinkState[] {
    return [...this.states.values()]
  }

  /** A hash of every (origin, incarnation, seq): equal databases hash alike (anti-entropy between neighbours). */
  digest(): number {
    let h = 0x811c9dc5
    for (const origin of [...this.states.keys()].sort()) {
      const st = this.states.get(origin) as LinkState
      const s = `${origin}:${st.incarnation}:${st.seq};`
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
    }
    return h
  }

  /** How many advertisements are stored. */
  get size(): number {
    return this.states.size
  }

  /** The first hop toward every reachable peer (self excluded). */
  routes(): ReadonlyMap<PeerId, PeerId> {
    this.nextHops ??= this.computeRoutes()
    return this.nextHops
  }

  /** The peers `self` forwards a broadcast of `origin` to: its children in origin's breadth-first tree. */
  children(origin: PeerId): readonly PeerId[] {
    let tree = this.trees.get(origin)
    if (tree === undefined) {
      tree = this.computeTree(origin)
      this.trees.set(origin, tree)
    }
    return tree.get(this.self) ?? []
  }

  /** Breadth-first parents from `root`: for each reached peer, the peer it was reached from. */
  private bfs(root: PeerId): Map<PeerId, PeerId> {
    const parent = new Map<PeerId, PeerId>([[root, root]])
    let frontier = [root]
    while (frontier.length > 0) {
      const next: PeerId[] = []
      for (const u of frontier) {
        for (const v of this.states.get(u)?.neighbours ?? []) {
          if (parent.has(v) || !this.linked(u, v)) continue
          parent.set(v, u)
          next.push(v)
        }
      }
      frontier = next
    }
    return parent
  }

  /** u lists v (the caller checked); v must list u too — except that our own links are live truth. */
  private linked(u: PeerId, v: PeerId): boolean {
    return u === this.self || this.states.get(v)?.neighbours.includes(u) === true
  }

  private computeRoutes(): Map<PeerId, PeerId> {
    const parent = this.bfs(this.self)
    const hops = new Map<PeerId, PeerId>()
    for (const peer of parent.keys()) {
      if (peer === this.self) continue
      let hop = peer
      while (parent.get(hop) !== this.self) hop = parent.get(hop) as PeerId
      hops.set(peer, hop)
    }
    return hops
  }

  private computeTree(origin: PeerId): Map<PeerId, PeerId[]> {
    const children = new Map<PeerId, PeerId[]>()
    for (const [peer, up] of this.bfs(origin)) {
      if (peer === origin) continue
      const list = children.get(up) ?? []
      list.push(peer)
      children.set(up, list)
    }
    return children
  }

  private changed(): void {
    this.nextHops = undefined
    this.trees.clear()
  }

  private bound(): void {
    if (this.states.size <= this.maxEntries) return
    const reachable = this.routes()
    const victims = [...this.states.keys()]
      .filter((p) => p !== this.self && !reachable.has(p))
      .sort((a, b) => (this.lastHeard.get(a) ?? 0) - (this.lastHeard.get(b) ?? 0))
    for (const p of victims.slice(0, this.states.size - this.maxEntries)) {
      this.states.delete(p)
      this.lastHeard.delete(p)
    }
    this.changed()
  }
}
