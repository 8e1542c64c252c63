import type { PeerId, Transport, TransportEvents } from '@sship/core'
import { DEFAULT_MESH_K, wantedLinks } from './meshLinks.js'

/** Options of {@link CappedLinks}. */
export interface CappedLinksOptions {
  /** A transport that can link to every peer (the in-memory network, a LAN). */
  readonly inner: Transport
  /** Peers each peer wants ({@link wantedLinks}). Default {@link DEFAULT_MESH_K}. */
  readonly k?: number
  /** Peers always linked, to everyone (Node hosts: they take many links). Default none. */
  readonly hub?: (peer: PeerId) => boolean
}

/**
 * Keeps only the mesh's links (see {@link wantedLinks}) out of a transport that could link to
 * everyone: the peers it reports, and the frames it passes either way, are those of a capped
 * mesh. It models in simulation the links a capped WebRTC mesh opens, and is what
 * {@link RelayTransport} runs over there.
 */
export class CappedLinks implements Transport {
  readonly localPeer: PeerId
  private linked = new Set<PeerId>()
  private events: TransportEvents | undefined
  private readonly k: number

  constructor(private readonly options: CappedLinksOptions) {
    this.localPeer = options.inner.localPeer
    this.k = options.k ?? DEFAULT_MESH_K
  }

  connect(events: TransportEvents): void {
    this.events = events
    this.options.inner.connect({
      peerJoined: (p) => {
        // A peer that joins again while still listed crashed silently meanwhile: its old link is gone.
        if (this.linked.delete(p)) this.events?.peerLeft(p)
        this.recompute()
      },
      peerLeft: () => this.recompute(),
      frame: (from, data) => {
        if (this.wanted().has(from)) this.events?.frame(from, data)
      }
    })
    this.recompute()
  }

  send(to: PeerId, data: Uint8Array): void {
    if (this.wanted().has(to)) this.options.inner.send(to, data)
  }

  /**
   * The links the rule gives over the inner transport's peers now. A silent crash changes them
   * without an event (the crashed peer drops out of the inner `peers()`, and a survivor may now
   * want another link); a layer above that polls `peers()` (as {@link RelayTransport} does) sees it.
   */
  peers(): ReadonlySet<PeerId> {
    return this.wanted()
  }

  close(): void {
    this.events = undefined
    this.options.inner.close()
  }

  private cacheKey = ''
  private cache: ReadonlySet<PeerId> = new Set()

  private wanted(): ReadonlySet<PeerId> {
    const inner = [...this.options.inner.peers()].sort()
    const key = inner.join('\u0000')
    if (key === this.cacheKey) return this.cache
    const members = [...inner, this.localPeer]
    const hub = this.options.hub ?? (() => false)
    const next = new Set<PeerId>()
    const mine = new Set(wantedLinks(this.localPeer, members, this.k))
    for (const p of inner) {
      if (hub(p) || hub(this.localPeer) || mine.has(p) || wantedLinks(p, members, this.k).includes(this.localPeer)) next.add(p)
    }
    this.cacheKey = key
    this.cache = next
    return next
  }

  private recompute(): void {
    const next = new Set(this.wanted())
    const before = this.linked
    this.linked = next
    for (const p of before) if (!next.has(p)) this.events?.peerLeft(p)
    for (const p of next) if (!before.has(p)) this.events?.peerJoined(p)
  }
}
