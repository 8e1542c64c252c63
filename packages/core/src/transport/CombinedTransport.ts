import { ConfigError } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import type { LeaveReason, Transport, TransportEvents } from './Transport.js'

/** One transport or several; several are combined (see {@link combineTransports}). */
export type TransportOption = Transport | readonly Transport[]

/**
 * The one transport a peer uses: `transport` itself, or the combination of several (a browser
 * reaching hosts over WebSockets and other browsers over WebRTC; a host reaching other hosts over
 * the LAN and browsers through its hub). Throws {@link ConfigError} for an empty list.
 */
export function combineTransports(transport: TransportOption): Transport {
  if (!Array.isArray(transport)) return transport as Transport
  const parts = transport as readonly Transport[]
  const first = parts[0]
  if (first === undefined) throw new ConfigError('transport: an empty list of transports')
  return parts.length === 1 ? first : new CombinedTransport(first.localPeer, parts)
}

/**
 * One sship {@link Transport} over several: the peers are the union of the parts' peers, a frame
 * goes out through the first part that has a link to its destination, and a peer has joined
 * while any part has it (so a peer reachable two ways joins once and leaves once). A peer given
 * `transport: [a, b]` runs over one of these: e.g. "WebSocket links to Node hosts + WebRTC to
 * other browsers" in a browser, "LAN WebSockets to other hosts + a hub for browsers" on a host.
 */
export class CombinedTransport implements Transport {
  private readonly holders = new Map<PeerId, Set<Transport>>()
  private readonly joined = new Set<PeerId>()
  private events: TransportEvents | undefined
  private closed = false
  /** Only if every part closes a dead peer's links at once (a peer may be reached through any part). */
  readonly closesOnCrash: boolean

  constructor(readonly localPeer: PeerId, private readonly parts: readonly Transport[]) {
    this.closesOnCrash = parts.every((p) => p.closesOnCrash === true)
    for (const part of parts) {
      if (part.localPeer !== localPeer) throw new ConfigError(`every transport must be of peer ${localPeer}, got ${part.localPeer}`)
    }
  }

  connect(events: TransportEvents): void {
    if (this.closed || this.events !== undefined) return
    this.events = events
    for (const part of this.parts) part.connect(this.eventsOf(part))
  }

  send(to: PeerId, data: Uint8Array): void {
    if (this.closed) return
    const via = this.holders.get(to)
    if (via === undefined) return
    for (const part of this.parts) {
      if (via.has(part)) return part.send(to, data)
    }
  }

  peers(): ReadonlySet<PeerId> {
    return this.joined
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    for (const part of this.parts) part.close()
    this.holders.clear()
    this.joined.clear()
  }

  private eventsOf(part: Transport): TransportEvents {
    return {
      peerJoined: (peer) => {
        if (this.closed) return
        let via = this.holders.get(peer)
        if (via === undefined) this.holders.set(peer, (via = new Set()))
        via.add(part)
        if (this.joined.has(peer)) return
        this.joined.add(peer)
        this.events?.peerJoined(peer)
      },
      peerLeft: (peer, reason?: LeaveReason) => {
        if (this.closed) return
        const via = this.holders.get(peer)
        if (via === undefined || !via.delete(part) || via.size > 0) return
        this.holders.delete(peer)
        this.joined.delete(peer)
        this.events?.peerLeft(peer, reason)
      },
      frame: (from, data) => {
        if (!this.closed) this.events?.frame(from, data)
      },
      refused: (peer, code, message) => {
        if (!this.closed) this.events?.refused?.(peer, code, message)
      }
    }
  }
}
