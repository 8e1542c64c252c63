import {
  asPeerId, ConfigError, type Clock, type PeerId, type Random, type Transport, type TransportEvents
} from '@sship/core'
import { cryptoRandom, systemClock } from '@sship/core/internals'
import { MessageSealer } from '../crypto/MessageSealer.js'
import { openJson, sealJson } from '../crypto/roomCrypto.js'
import { WebrtcError, WebrtcErrorCode } from '../errors/WebrtcError.js'
import { anyCandidate } from '../ice/candidateFilter.js'
import { DEFAULT_CHUNK_BYTES } from '../link/linkMessages.js'
import { LinkState, PeerLink, type PeerLinkEvents } from '../link/PeerLink.js'
import type { SignalingClient } from '../signaling/SignalingClient.js'
import { parseRoomMessage, type RoomMessage, type SignalPayload } from '../signaling/signalingMessages.js'
import { SignalingPool } from '../signaling/SignalingPool.js'
import { hostWebSocket } from '../signaling/SignalingSocket.js'
import { isSignalingUrl } from '../signaling/signalingUrl.js'
import { EarlySignals } from './EarlySignals.js'
import { isInitiator } from './initiatorRule.js'
import { MeshLinkPolicy } from '../mesh/MeshLinkPolicy.js'
import type { WebrtcTransportOptions } from './WebrtcTransportOptions.js'

/** Signals through the mesh ({@link RelayTransport.sendSignal} / `onSignal`), for when no signaling server is up. */
export interface MeshSignals {
  sendSignal(to: PeerId, payload: Uint8Array): boolean
  onSignal(handler: (from: PeerId, payload: Uint8Array) => void): () => void
}

/** One link as {@link WebrtcTransport.getLinks} shows it. */
export interface LinkInfo {
  readonly peer: PeerId
  readonly state: LinkState
  readonly initiator: boolean
  /** Milliseconds from creating the link to both Hellos, once open. */
  readonly connectMs: number | undefined
  /** A signal from the remote arrived on this link (for an offer we made: it got through, the remote answered). */
  readonly heard: boolean
}

const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024

/**
 * A {@link Transport} over WebRTC data channels, for browsers and Node alike. Peers meet through
 * y-webrtc-compatible signaling servers (a list: all are kept, none is special), on the topic
 * `room`, with y-webrtc's `announce` / `signal` messages; then each pair talks over its own
 * data channel, which keeps working when every signaling server is gone.
 *
 * Signaling servers can be added and removed while running ({@link WebrtcTransport.addSignaling},
 * e.g. from the document with `followSignaling`). With `password`, signaling payloads are
 * encrypted as y-webrtc's `password` option does, so only peers (sship or y-webrtc) with the same
 * password find each other; the data channels are DTLS-encrypted either way.
 */
export class WebrtcTransport implements Transport {
  readonly localPeer: PeerId
  private readonly clock: Clock
  private readonly random: Random
  private readonly links = new Map<PeerId, PeerLink>()
  /** The signaling connection each peer was last heard on, to send its signals back the same way. */
  private readonly heardVia = new Map<PeerId, SignalingClient>()
  private readonly joined = new Set<PeerId>()
  /** Peers whose data channel spoke something other than our link protocol (e.g. stock y-webrtc peers). */
  private readonly incompatible = new Set<PeerId>()
  private readonly pool: SignalingPool
  private readonly early = new EarlySignals()
  private readonly sealer: MessageSealer<RoomMessage, string>
  private events: TransportEvents | undefined
  private closed = false
  private readonly mesh: MeshLinkPolicy | undefined
  private meshSignals: MeshSignals | undefined

  /** Throws {@link ConfigError} for a missing WebSocket, no signaling URL, or a URL that is not `ws:`/`wss:`. */
  constructor(private readonly options: WebrtcTransportOptions) {
    this.localPeer = options.peerId
    this.clock = options.clock ?? systemClock
    this.mesh = options.mesh === undefined ? undefined : new MeshLinkPolicy(options.peerId, options.mesh)
    this.random = options.random ?? cryptoRandom
    const WebSocket = options.WebSocket ?? hostWebSocket()
    if (WebSocket === undefined) throw new ConfigError('WebrtcTransport needs a WebSocket: on Node 20 pass { WebSocket } from the "ws" package')
    if (options.signaling.length === 0) throw new ConfigError('WebrtcTransport needs at least one signaling URL, e.g. the url of a SignalingServer')
    for (const url of options.signaling) {
      if (!isSignalingUrl(url)) throw new ConfigError(`signaling URL "${url}" must be a ws:// or wss:// URL`)
    }
    this.sealer = new MessageSealer<RoomMessage, string>({
      password: options.password,
      room: options.room,
      seal: sealJson,
      open: openJson,
      onError: (error) => this.report(error, undefined)
    })
    this.pool = new SignalingPool({
      urls: options.signaling,
      topic: options.room,
      WebSocket,
      clock: this.clock,
      random: this.random,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs })
    }, {
      open: (client) => this.announce(client),
      publish: (client, topic, data) => this.guard(undefined, () => this.onPublish(client, topic, data)),
      down: () => {}
    })
  }

  connect(events: TransportEvents): void {
    if (this.closed || this.events !== undefined) return
    this.events = events
    this.pool.start()
  }

  send(to: PeerId, data: Uint8Array): void {
    if (this.closed || !this.joined.has(to)) return
    this.links.get(to)?.send(data)
  }

  peers(): ReadonlySet<PeerId> {
    return this.joined
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    for (const link of this.links.values()) link.close(true)
    this.links.clear()
    this.joined.clear()
    this.sealer.close()
    this.early.clear()
    this.pool.close()
  }

  /**
   * Lets links be negotiated through the mesh when no signaling server reaches the peer (every
   * Node host is gone): signals that no server takes go through `signals`, and signals arriving
   * from it are handled as if from a server. Pass the {@link RelayTransport} above this transport.
   */
  useMeshSignals(signals: MeshSignals): void {
    this.meshSignals = signals
    signals.onSignal((from, payload) => this.guard(from, () => {
      const data: unknown = JSON.parse(new TextDecoder().decode(payload))
      this.sealer.receive(data, (message) => this.guard(from, () => this.onRoomData(undefined, message)))
    }))
  }

  /** Opens a link to `peer` now, unless one is up or forming (through a signaling server, else the mesh). */
  link(peer: PeerId): void {
    const existing = this.links.get(peer)
    if (this.closed || peer === this.localPeer || (existing !== undefined && existing.getState() !== LinkState.Closed)) return
    this.openLink(peer, true)
  }

  /**
   * Gives up on a link to `peer` that is still forming and offers again (a link already open is
   * kept). Through the mesh an offer or its answer can be lost on a route that changed under it
   * (a peer left mid-flood); the remote takes the new offer in place of the old one.
   */
  relink(peer: PeerId): void {
    const existing = this.links.get(peer)
    if (this.closed || peer === this.localPeer || existing?.getState() === LinkState.Open) return
    if (existing !== undefined) this.dropLink(existing)
    this.openLink(peer, true)
  }

  /** Signaling servers connected now. */
  signalingUrls(): string[] {
    return this.pool.openUrls()
  }

  /** Every signaling server this transport keeps dialing (given, or added since), connected or not. */
  knownSignalingUrls(): string[] {
    return this.pool.urls()
  }

  /**
   * Adds a signaling server: it is dialed at once (or on {@link WebrtcTransport.connect}, if not
   * connected yet), redialed with the same backoff as the others, and this peer announces itself
   * there whenever it connects. Idempotent: returns true if the URL was added, false if it was
   * already known or the transport is closed.
   *
   * @throws {@link WebrtcError} with code `bad-url` if `url` is not a `ws:` or `wss:` URL.
   */
  addSignaling(url: string): boolean {
    if (!isSignalingUrl(url)) throw new WebrtcError(WebrtcErrorCode.BadUrl, `signaling URL ${JSON.stringify(url)} must be a ws:// or wss:// URL`)
    if (this.closed) return false
    return this.pool.add(url)
  }

  /**
   * Stops using a signaling server (unsubscribes and closes its socket). Links it helped make
   * stay up. Returns false if the URL was not known.
   */
  removeSignaling(url: string): boolean {
    const client = this.pool.remove(url)
    if (client === undefined) return false
    for (const [peer, via] of this.heardVia) if (via === client) this.heardVia.delete(peer)
    return true
  }

  /** The current links, for diagnostics and measurements. */
  getLinks(): LinkInfo[] {
    return [...this.links.values()].map((l) => ({
      peer: l.remote,
      state: l.getState(),
      initiator: l.initiator,
      connectMs: l.openedAt === undefined ? undefined : l.openedAt - l.createdAt,
      heard: l.heard
    }))
  }

  /** Announces this peer on one signaling connection (undefined: all of them). */
  private announce(client: SignalingClient | undefined, to?: PeerId): void {
    if (this.closed) return
    const data: RoomMessage = to === undefined ? { type: 'announce', from: this.localPeer } : { type: 'announce', from: this.localPeer, to }
    this.sealer.send(data, (wire) => {
      if (client === undefined) this.pool.publishAll(wire)
      else this.pool.publishOne(wire, client)
    })
  }

  private onPublish(client: SignalingClient, topic: string, data: unknown): void {
    if (this.closed || topic !== this.options.room) return
    if (!this.sealer.sealed && typeof data === 'string') {
      this.report(new WebrtcError(WebrtcErrorCode.BadPassword, 'an encrypted signaling message in a room this peer joined without a password'), undefined)
      return
    }
    this.sealer.receive(data, (message) => this.guard(undefined, () => this.onRoomData(client, message)))
  }

  private onRoomData(client: SignalingClient | undefined, data: unknown): void {
    if (this.closed) return
    const message = parseRoomMessage(data)
    if (message === undefined || message.from === this.localPeer) return
    if (message.to !== undefined && message.to !== this.localPeer) return
    const from = asPeerId(message.from)
    if (this.incompatible.has(from)) return
    if (client !== undefined) this.heardVia.set(from, client)
    // Announces come only from servers (the mesh has its own membership); signals from either.
    if (message.type !== 'announce') this.onSignal(from, message.signal)
    else if (client !== undefined) this.onAnnounce(client, from)
  }

  private onAnnounce(client: SignalingClient, from: PeerId): void {
    this.mesh?.heard(from)
    const existing = this.links.get(from)
    if (existing !== undefined && existing.getState() !== LinkState.Closed) return
    // The rule is symmetric: a peer outside our links is outside theirs too, so neither offers.
    if (isInitiator(this.localPeer, from)) {
      if (this.mesh === undefined || this.mesh.wants(from, this.links.size)) this.openLink(from, true)
    } else this.announce(client, from)
  }

  private onSignal(from: PeerId, signal: SignalPayload): void {
    let link = this.links.get(from)
    if (signal.type === 'offer') {
      this.mesh?.heard(from)
      if (link === undefined && this.mesh !== undefined && !this.mesh.accepts(this.links.size)) return
      // An offer while we have our own offer out: the rule says who wins (only a peer not following it offers wrongly).
      if (link !== undefined && link.initiator && link.getState() === LinkState.Connecting && isInitiator(this.localPeer, from)) return
      // Otherwise an offer replaces whatever link we had: the remote has started over.
      if (link !== undefined) this.dropLink(link)
      link = this.openLink(from, false)
      link.signal(signal)
      for (const early of this.early.take(from)) link.signal(early)
      return
    }
    if (link !== undefined && link.getState() !== LinkState.Closed) link.signal(signal)
    else if (signal.candidate !== undefined) this.early.hold(from, signal)
  }

  private openLink(remote: PeerId, initiator: boolean): PeerLink {
    const link = new PeerLink({
      self: this.localPeer,
      remote,
      initiator,
      wrtc: this.options.wrtc,
      iceServers: this.options.iceServers ?? [],
      allowCandidate: this.options.allowCandidate ?? anyCandidate,
      chunkBytes: this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      maxFrameBytes: this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 15_000,
      clock: this.clock
    }, this.linkEvents)
    this.links.set(remote, link)
    return link
  }

  /** Closes a link we replace or give up on, reporting the peer left if it was joined through it. */
  private dropLink(link: PeerLink): void {
    link.close(false)
    this.forget(link)
  }

  private forget(link: PeerLink): void {
    if (this.links.get(link.remote) !== link) return
    this.links.delete(link.remote)
    if (this.joined.delete(link.remote)) this.events?.peerLeft(link.remote)
  }

  private readonly linkEvents: PeerLinkEvents = {
    signal: (link, signal) => {
      if (this.closed || this.links.get(link.remote) !== link) return
      const token = this.clock.now() + this.random.next()
      const remote = link.remote
      this.sealer.send({ type: 'signal', from: this.localPeer, to: remote, token, signal }, (wire) => {
        if (!this.pool.publishOne(wire, this.heardVia.get(remote))) this.meshSignals?.sendSignal(remote, new TextEncoder().encode(JSON.stringify(wire)))
      })
    },
    open: (link) => {
      if (this.closed || this.links.get(link.remote) !== link || this.joined.has(link.remote)) return
      this.joined.add(link.remote)
      this.guard(link.remote, () => this.events?.peerJoined(link.remote))
    },
    frame: (link, data) => {
      if (this.closed || this.links.get(link.remote) !== link) return
      this.guard(link.remote, () => this.events?.frame(link.remote, data))
    },
    closed: (link, why) => {
      if (this.closed) return
      if (why === 'bad hello' || why === 'not an sship peer') this.incompatible.add(link.remote)
      if (why === 'goodbye') this.mesh?.left(link.remote)
      this.guard(link.remote, () => this.forget(link))
      // Look for the peer again: if it is still there, a fresh link forms (when signaling is up).
      if (why !== 'goodbye') this.announce(undefined)
    },
    error: (link, error) => this.report(error, link.remote)
  }

  private guard(peer: PeerId | undefined, run: () => void): void {
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
      // an error callback that throws has nowhere left to report to
    }
  }
}
