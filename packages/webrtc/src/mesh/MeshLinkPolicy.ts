import type { PeerId } from '@sship/core'
import { DEFAULT_MESH_K, linkedInMesh } from './meshLinks.js'

/** Options of a capped WebRTC mesh (`WebrtcTransportOptions.mesh`). */
export interface MeshLinkOptions {
  /** Peers each peer wants a link to ({@link wantedLinks}). Default {@link DEFAULT_MESH_K} (about 2k links per peer). */
  readonly k?: number
  /** Hard cap on links: offers beyond it are ignored. Default 20 (y-webrtc's `maxConns`). */
  readonly maxLinks?: number
  /** Members remembered (heard announcing). Default 1024. */
  readonly maxMembers?: number
}

/**
 * Which peers a capped WebRTC mesh links to: the members heard in the room, the symmetric
 * rendezvous rule over them (both ends decide alike, so only one side needs to offer), and a
 * hard cap. Peers beyond the links are reached through {@link RelayTransport}.
 */
export class MeshLinkPolicy {
  private readonly members = new Set<PeerId>()
  readonly k: number
  readonly maxLinks: number

  constructor(private readonly self: PeerId, private readonly options: MeshLinkOptions = {}) {
    this.k = options.k ?? DEFAULT_MESH_K
    this.maxLinks = options.maxLinks ?? 20
  }

  /** `peer` announced itself (or signaled us). */
  heard(peer: PeerId): void {
    if (this.members.has(peer) || peer === this.self) return
    if (this.members.size >= (this.options.maxMembers ?? 1024)) {
      const oldest = this.members.values().next().value
      if (oldest !== undefined) this.members.delete(oldest)
    }
    this.members.add(peer)
  }

  /** `peer` said goodbye. */
  left(peer: PeerId): void {
    this.members.delete(peer)
  }

  /** Whether to open a link to `peer` now, holding `links` links. */
  wants(peer: PeerId, links: number): boolean {
    return links < this.maxLinks && linkedInMesh(this.self, peer, [...this.members, this.self], this.k)
  }

  /** Whether to accept an offer from `peer`, holding `links` links. */
  accepts(links: number): boolean {
    return links < this.maxLinks
  }
}
