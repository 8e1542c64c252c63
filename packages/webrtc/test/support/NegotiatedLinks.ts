import type { Clock, PeerId, Transport, TransportEvents } from '@sship/core'
import type { TimerHandle } from '@sship/core/internals'
import type { HealableLinks, MeshSignals } from '../../src/index.js'

const OFFER = 1
const ANSWER = 2
const HELLO = 3
const HELLO_ACK = 4
const DATA = 5
const BYE = 6

/**
 * The signaling servers of a room, in memory: up (signals between any two peers arrive after
 * `latencyMs`) or down (every Node host gone: signals must go through the mesh).
 */
export class SignalRoom {
  up = true
  private readonly members = new Map<PeerId, NegotiatedLinks>()

  constructor(private readonly clock: Clock, private readonly latencyMs = 5) {}

  join(links: NegotiatedLinks): void {
    this.members.set(links.localPeer, links)
  }

  deliver(from: PeerId, to: PeerId, kind: number): boolean {
    if (!this.up) return false
    this.clock.setTimeout(() => {
      if (this.up) this.members.get(to)?.onSignal(from, kind)
    }, this.latencyMs)
    return true
  }
}

/**
 * A test double of {@link WebrtcTransport}'s links over any transport that reaches every peer (the
 * in-memory network): a link to a peer exists only after an offer and an answer went through
 * signaling — the {@link SignalRoom} while it is up, else the mesh ({@link useMeshSignals}) —
 * and both ends said hello over the direct path. Like WebRTC it offers `link(peer)`, refuses
 * offers beyond `maxLinks`, gives up on a link not open after `connectTimeoutMs`, and reports a
 * link that breaks (`breakLink`, one end at a time) or whose peer leaves.
 */
export class NegotiatedLinks implements Transport, HealableLinks {
  readonly localPeer: PeerId
  private readonly open = new Set<PeerId>()
  private readonly forming = new Map<PeerId, TimerHandle>()
  /** Forming links on which the remote's answer arrived. */
  private readonly answered = new Set<PeerId>()
  private events: TransportEvents | undefined
  private mesh: MeshSignals | undefined
  /** Offers this peer sent through the mesh (not the room). */
  meshOffers = 0
  /** The next this-many signals this peer sends are lost on the way (a route that changed under them). */
  loseSignals = 0

  constructor(
    private readonly inner: Transport,
    private readonly room: SignalRoom,
    private readonly clock: Clock,
    private readonly maxLinks = 20,
    private readonly connectTimeoutMs = 15_000
  ) {
    this.localPeer = inner.localPeer
    room.join(this)
  }

  connect(events: TransportEvents): void {
    this.events = events
    this.inner.connect({
      peerJoined: () => {},
      peerLeft: (p) => this.breakLink(p),
      frame: (from, data) => this.onDirect(from, data)
    })
  }

  send(to: PeerId, data: Uint8Array): void {
    if (!this.open.has(to)) return
    const framed = new Uint8Array(data.length + 1)
    framed[0] = DATA
    framed.set(data, 1)
    this.inner.send(to, framed)
  }

  peers(): ReadonlySet<PeerId> {
    return this.open
  }

  close(): void {
    for (const p of this.open) this.inner.send(p, Uint8Array.of(BYE))
    for (const t of this.forming.values()) this.clock.clearTimeout(t)
    this.forming.clear()
    this.open.clear()
    this.events = undefined
    this.inner.close()
  }

  useMeshSignals(signals: MeshSignals): void {
    this.mesh = signals
    signals.onSignal((from, payload) => this.onSignal(from, payload[0] ?? 0))
  }

  getLinks(): Array<{ peer: PeerId; state: string; heard: boolean }> {
    return [
      ...[...this.forming.keys()].map((peer) => ({ peer, state: 'connecting', heard: this.answered.has(peer) })),
      ...[...this.open].map((peer) => ({ peer, state: 'open', heard: true }))
    ]
  }

  relink(peer: PeerId): void {
    if (this.open.has(peer)) return
    this.breakLink(peer)
    this.link(peer)
  }

  link(peer: PeerId): void {
    if (peer === this.localPeer || this.open.has(peer) || this.forming.has(peer)) return
    this.startForming(peer)
    if (!this.room.up) this.meshOffers++
    this.signal(peer, OFFER)
  }

  signalingUrls(): string[] {
    return this.room.up ? ['mem://signaling'] : []
  }

  /** This end's link to `peer` closes (a channel that died); the other end hears nothing. */
  breakLink(peer: PeerId): void {
    const timer = this.forming.get(peer)
    if (timer !== undefined) this.clock.clearTimeout(timer)
    this.forming.delete(peer)
    this.answered.delete(peer)
    if (this.open.delete(peer)) this.events?.peerLeft(peer)
  }

  /** A signal from `from`, through the room or the mesh. */
  onSignal(from: PeerId, kind: number): void {
    if (this.events === undefined) return
    if (kind === OFFER) {
      // An offer replaces whatever link we had: the remote has started over.
      if (this.open.has(from) || this.forming.has(from)) this.breakLink(from)
      if (this.open.size + this.forming.size >= this.maxLinks) return
      this.startForming(from)
      this.signal(from, ANSWER)
    } else if (kind === ANSWER && this.forming.has(from)) {
      this.answered.add(from)
      this.inner.send(from, Uint8Array.of(HELLO))
    }
  }

  private signal(to: PeerId, kind: number): void {
    if (this.loseSignals > 0) {
      this.loseSignals--
      return
    }
    if (!this.room.deliver(this.localPeer, to, kind)) this.mesh?.sendSignal(to, Uint8Array.of(kind))
  }

  private startForming(peer: PeerId): void {
    this.forming.set(peer, this.clock.setTimeout(() => {
      this.forming.delete(peer)
      this.answered.delete(peer)
    }, this.connectTimeoutMs))
  }

  private onDirect(from: PeerId, data: Uint8Array): void {
    const kind = data[0]
    if (kind === DATA) {
      if (this.open.has(from)) this.events?.frame(from, data.subarray(1))
    } else if (kind === HELLO || kind === HELLO_ACK) {
      const timer = this.forming.get(from)
      if (timer === undefined) return
      this.clock.clearTimeout(timer)
      this.forming.delete(from)
      this.answered.delete(from)
      this.open.add(from)
      if (kind === HELLO) this.inner.send(from, Uint8Array.of(HELLO_ACK))
      this.events?.peerJoined(from)
    } else if (kind === BYE) {
      this.breakLink(from)
    }
  }
}
