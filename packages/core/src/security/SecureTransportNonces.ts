import type { PeerId } from '../ids/ids.js'
import { sameBytes } from './secureFrames.js'

/** Nonces kept per peer and per side. */
const PER_PEER = 4
/** Peers remembered at most; the least recently used is forgotten first. */
const MAX_PEERS = 1024

/**
 * The handshake nonces a {@link SecureTransport} recently used with each peer (ours and the
 * peer's), across link incarnations. A proof that fails the current handshake but checks against
 * an earlier pair is stale (sent before a retransmission or a reconnect), not a wrong secret.
 * Bounded: {@link PER_PEER} nonces per side, {@link MAX_PEERS} peers. @internal
 */
export class SecureTransportNonces {
  private readonly byPeer = new Map<PeerId, { ours: Uint8Array[]; theirs: Uint8Array[] }>()

  /** Records a nonce we sent to `peer` (`side` ours) or received from it (`theirs`). */
  add(peer: PeerId, side: 'ours' | 'theirs', nonce: Uint8Array): void {
    const entry = this.byPeer.get(peer) ?? { ours: [], theirs: [] }
    this.byPeer.delete(peer)
    this.byPeer.set(peer, entry)
    const list = entry[side]
    if (list.some((n) => sameBytes(n, nonce))) return
    list.push(nonce)
    if (list.length > PER_PEER) list.shift()
    if (this.byPeer.size > MAX_PEERS) this.byPeer.delete(this.byPeer.keys().next().value as PeerId)
  }

  /** Every recorded `(ours, theirs)` pair with `peer`, newest first. */
  pairs(peer: PeerId): Array<{ readonly ours: Uint8Array; readonly theirs: Uint8Array }> {
    const entry = this.byPeer.get(peer)
    if (entry === undefined) return []
    return [...entry.ours].reverse().flatMap((ours) => [...entry.theirs].reverse().map((theirs) => ({ ours, theirs })))
  }
}
