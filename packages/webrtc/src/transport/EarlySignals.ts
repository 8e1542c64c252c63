import type { PeerId } from '@sship/core'
import type { SignalPayload } from '../signaling/signalingMessages.js'

/**
 * Signals (trickled ICE candidates) that arrived from a peer before its offer. Signaling through
 * different servers, and y-webrtc's encryption (each message is encrypted on its own, so they can
 * finish out of order), both let a candidate overtake the offer it belongs to; dropping it could
 * leave the link without a working candidate pair. Bounded: at most `maxPeers` peers and
 * `maxPerPeer` signals each, oldest dropped first.
 */
export class EarlySignals {
  private readonly held = new Map<PeerId, SignalPayload[]>()

  constructor(private readonly maxPeers = 32, private readonly maxPerPeer = 32) {}

  /** Keeps `signal` until an offer from `peer` opens a link. */
  hold(peer: PeerId, signal: SignalPayload): void {
    let list = this.held.get(peer)
    if (list === undefined) {
      if (this.held.size >= this.maxPeers) {
        const oldest = this.held.keys().next().value
        if (oldest !== undefined) this.held.delete(oldest)
      }
      list = []
      this.held.set(peer, list)
    }
    if (list.length >= this.maxPerPeer) list.shift()
    list.push(signal)
  }

  /** The signals held for `peer`, in arrival order; forgets them. */
  take(peer: PeerId): SignalPayload[] {
    const list = this.held.get(peer) ?? []
    this.held.delete(peer)
    return list
  }

  /** Forgets everything. */
  clear(): void {
    this.held.clear()
  }
}
