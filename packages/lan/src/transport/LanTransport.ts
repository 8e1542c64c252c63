import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import {
  DEFAULT_MAX_FRAME_BYTES, PROTOCOL_VERSION, cryptoRandom, randomHex, systemClock,
  type Clock, type PeerId, type Random, type Transport, type TransportEvents
} from '@sship/core'
import WebSocket, { WebSocketServer } from 'ws'
import type { PeerDirectory } from '../discovery/PeerDirectory.js'
import { DEFAULT_BACKOFF, type BackoffOptions } from './Backoff.js'
import { CloseCode } from './CloseCode.js'
import { Dialer, type DialTarget } from './Dialer.js'
import { checkHello, clip, decodeHello, encodeHello, type Hello } from './hello.js'
import { emptyLanTransportStats, type LanTransportStats } from './LanTransportStats.js'
import { Link, LinkState } from './Link.js'
import { LinkChoice, chooseLink } from './linkPolicy.js'
import { parseHostPort, wsUrl, type HostPort } from './peerAddress.js'

/** Options of a {@link LanTransport}. */
export interface LanTransportOptions {
  /** The app this transport serves; links to peers of another app are refused. */
  readonly app: string
  /** The local peer's GUID. */
  readonly peerId: PeerId
  /** Address the WebSocket server binds to. Default `127.0.0.1`; use the LAN address (or `0.0.0.0`) to be reachable. */
  readonly host?: string
  /** WebSocket server port. Default 0 (an ephemeral port; see {@link LanTransport.listen}). */
  readonly port?: number
  /** Run a server at all. Default true; false makes a dial-only client (e.g. `sship status`). */
  readonly listen?: boolean
  /** Static peers, `host:port` each, dialed without discovery. */
  readonly peers?: readonly string[]
  /** Where to find peers (e.g. an {@link MdnsDiscovery}); the transport starts and closes it. */
  readonly directory?: PeerDirectory
  /** Time source for every timer. Default the system clock. */
  readonly clock?: Clock
  /** Randomness for backoff jitter and the session id. Default WebCrypto. */
  readonly random?: Random
  /** Redial backoff. Default 100 ms doubling up to 5 s, with jitter. */
  readonly backoff?: Partial<BackoffOptions>
  /** Failed dials in a row after which a discovered peer is reported gone to the directory. Default 5. */
  readonly maxDialFailures?: number
  /** How long the larger GUID waits for the smaller to dial before it dials itself. Default 2000 ms. */
  readonly fallbackDialMs?: number
  /** Longest wait for the hello. Default 5000 ms. */
  readonly handshakeTimeoutMs?: number
  /** WebSocket ping interval; a link without a pong by the next ping is destroyed. 0 disables. Default 5000 ms. */
  readonly keepaliveMs?: number
  /** Largest frame accepted. Default 16 MiB (core's default) plus room for the hello. */
  readonly maxFrameBytes?: number
  /** The protocol version to announce in hellos. Default `PROTOCOL_VERSION` (override only to test mismatches). */
  readonly protocolVersion?: number
  /** Socket errors, refused handshakes, directory failures. The transport keeps running. */
  readonly onError?: (error: Error, peer: PeerId | undefined) => void
}

/** Lifecycle of a {@link LanTransport}. */
export const LanTransportState = {
  /** Created; `listen` may have been called; `connect` not yet (inbound hellos are refused "not ready"). */
  Idle: 'idle',
  /** Connected: dials, accepts, reports events. */
  Up: 'up',
  /** Closed. Final. */
  Closed: 'closed'
} as const
/** One of {@link LanTransportState}'s values. */
export type LanTransportState = (typeof LanTransportState)[keyof typeof LanTransportState]

/**
 * A {@link Transport} over WebSockets for Node peers on one machine or a LAN: a server bound to
 * `host:port`, and outbound links to static peers and to peers found by a {@link PeerDirectory}.
 * Each link starts with a hello (GUIDs, app, protocol version); a mismatch closes it with a
 * {@link CloseCode} and a reason. Exactly one link is kept per pair (see {@link chooseLink});
 * `peerJoined` follows the handshake, `peerLeft` the close of the current link, and broken links
 * are redialed with backoff. Frames are binary messages, copied on send and on receipt.
 */
export class LanTransport implements Transport {
  /** The local peer's GUID. */
  readonly localPeer: PeerId
  private state: LanTransportState = LanTransportState.Idle
  private events: TransportEvents | undefined
  private server: WebSocketServer | undefined
  private listening: Promise<HostPort> | undefined
  private bound: HostPort | undefined
  private readonly links = new Set<Link>()
  private readonly current = new Map<PeerId, Link>()
  private peerSet: ReadonlySet<PeerId> = new Set()
  private readonly dialer: Dialer
  private readonly hello: Hello
  private readonly clock: Clock
  private readonly counters = emptyLanTransportStats()
  private readonly closedBytes = { in: 0, out: 0 }
  private offDirectory: (() => void) | undefined
  private finished: Promise<void> | undefined

  constructor(private readonly options: LanTransportOptions) {
    this.localPeer = options.peerId
    this.clock = options.clock ?? systemClock
    const random = options.random ?? cryptoRandom
    this.hello = { protocol: options.protocolVersion ?? PROTOCOL_VERSION, app: options.app, peerId: options.peerId, session: randomHex(random, 8) }
    this.dialer = new Dialer({
      self: this.localPeer, clock: this.clock, random,
      isLinked: (peer) => this.current.has(peer),
      dial: (target) => this.dial(target),
      forget: (peer) => this.options.directory?.forget(peer)
    }, {
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      maxDialFailures: options.maxDialFailures ?? 5,
      fallbackDialMs: options.fallbackDialMs ?? 2000
    })
    for (const p of options.peers ?? []) this.dialer.addStatic(parseHostPort(p))
  }

  /** Where this transport is in its lifecycle. */
  get lifecycle(): LanTransportState {
    return this.state
  }

  /** The server's bound address, once listening. */
  get address(): HostPort | undefined {
    return this.bound
  }

  /** Starts the server (if not yet) and resolves with its bound address. Idempotent. */
  listen(): Promise<HostPort> {
    if (this.options.listen === false) return Promise.reject(new Error('this LanTransport was created with listen: false'))
    this.listening ??= new Promise<HostPort>((resolve, reject) => {
      const server = new WebSocketServer({
        host: this.options.host ?? '127.0.0.1', port: this.options.port ?? 0,
        maxPayload: this.maxPayload(), perMessageDeflate: false, clientTracking: false
      })
      this.server = server
      server.once('error', reject)
      server.once('listening', () => {
        server.off('error', reject)
        server.on('error', (e: Error) => this.report(e, undefined))
        const a = server.address()
        this.bound = typeof a === 'object' && a !== null ? { host: a.address, port: a.port } : { host: String(a), port: 0 }
        resolve(this.bound)
      })
      server.on('connection', (ws: WebSocket, req: IncomingMessage) => this.accept(ws, req.socket))
    })
    return this.listening
  }

  /** Adds a static peer (`host:port`); dialed at once if connected. */
  addStaticPeer(address: string): void {
    this.dialer.addStatic(parseHostPort(address))
  }

  /** Starts dialing, accepting and reporting; starts the directory once the server listens. Throws if called twice. */
  connect(events: TransportEvents): void {
    if (this.state !== LanTransportState.Idle) throw new Error(`LanTransport.connect called while ${this.state}`)
    this.state = LanTransportState.Up
    this.events = events
    this.dialer.start()
    const directory = this.options.directory
    if (directory !== undefined) {
      this.offDirectory = directory.subscribe({ found: (e) => this.dialer.found(e), lost: (p) => this.dialer.lost(p) })
      for (const e of directory.entries()) this.dialer.found(e)
    }
    const ready = this.options.listen === false ? Promise.resolve(undefined) : this.listen()
    ready
      .then((self) => (this.state === LanTransportState.Up ? directory?.start(self) : undefined))
      .catch((e: unknown) => this.report(e instanceof Error ? e : new Error(String(e)), undefined))
  }

  /** Sends a copy of `data` to `to`; dropped if `to` is not joined. */
  send(to: PeerId, data: Uint8Array): void {
    const link = this.state === LanTransportState.Up ? this.current.get(to) : undefined
    if (link === undefined || !link.send(new Uint8Array(data))) {
      this.counters.framesDropped++
      return
    }
    this.counters.framesOut++
    this.counters.payloadBytesOut += data.byteLength
  }

  /** The peers with a current link (same set object until it changes). */
  peers(): ReadonlySet<PeerId> {
    return this.peerSet
  }

  /** Closes every link with a goodbye, stops the server and the directory (goodbye over mDNS). Idempotent. */
  close(): void {
    if (this.state === LanTransportState.Closed) return
    this.state = LanTransportState.Closed
    this.events = undefined
    this.dialer.stop()
    this.offDirectory?.()
    for (const link of this.links) link.close(CloseCode.Goodbye, 'peer closed')
    this.current.clear()
    this.peerSet = new Set()
    this.finished = this.finish()
  }

  /** {@link LanTransport.close}, then waits until the server and the directory are shut down. */
  async shutdown(): Promise<void> {
    this.close()
    await this.finished
  }

  /**
   * Test hook: destroys the TCP sockets of the links to `peer` (or of every link) without a close
   * frame, as a cut cable or a crash would. Redialing follows the usual rules. Returns how many
   * links were cut.
   */
  cut(peer?: PeerId): number {
    let n = 0
    for (const link of [...this.links]) {
      if (peer !== undefined && link.remote?.peerId !== peer) continue
      link.terminate()
      n++
    }
    this.counters.cuts += n
    return n
  }

  /** Counters, with socket bytes of live and closed links. */
  stats(): LanTransportStats {
    let bytesIn = this.closedBytes.in
    let bytesOut = this.closedBytes.out
    for (const l of this.links) {
      bytesIn += l.bytesIn
      bytesOut += l.bytesOut
    }
    return { ...this.counters, bytesIn, bytesOut, liveLinks: this.links.size }
  }

  private accept(ws: WebSocket, socket: Socket): void {
    if (this.state === LanTransportState.Closed) {
      ws.terminate()
      return
    }
    const link = this.track(new Link(ws, false, undefined, this.clock, this.linkHandlers))
    link.attachSocket(socket)
  }

  private dial(target: DialTarget): void {
    this.counters.dials++
    const ws = new WebSocket(wsUrl(target.address), {
      maxPayload: this.maxPayload(), perMessageDeflate: false, handshakeTimeout: this.handshakeTimeout()
    })
    const link = this.track(new Link(ws, true, target.key, this.clock, this.linkHandlers))
    ws.on('upgrade', (res: IncomingMessage) => link.attachSocket(res.socket))
    ws.on('open', () => link.send(encodeHello(this.hello)))
  }

  private track(link: Link): Link {
    this.links.add(link)
    link.armHandshakeTimeout(this.handshakeTimeout(), () => this.reject(link, CloseCode.HandshakeTimeout, 'no hello in time'))
    return link
  }

  private readonly linkHandlers = {
    message: (link: Link, data: Uint8Array) => this.onMessage(link, data),
    closed: (link: Link, code: number, reason: string) => this.onClosed(link, code, reason),
    error: (link: Link, error: Error) => {
      this.counters.socketErrors++
      this.report(error, link.remote?.peerId)
    }
  }

  private onMessage(link: Link, data: Uint8Array): void {
    if (this.state === LanTransportState.Closed) return
    if (this.state === LanTransportState.Idle) {
      if (link.state === LinkState.Handshaking) this.reject(link, CloseCode.NotReady, 'not connected yet; try again')
      return
    }
    if (link.state === LinkState.Handshaking) {
      this.onHello(link, data)
      return
    }
    const from = link.remote?.peerId
    // Frames still arriving on a retired link are delivered while the peer is joined by another.
    if (from === undefined || !this.current.has(from)) return
    this.counters.framesIn++
    this.counters.payloadBytesIn += data.byteLength
    this.events?.frame(from, data)
  }

  private onHello(link: Link, data: Uint8Array): void {
    const decoded = decodeHello(data)
    if (!decoded.ok) return this.reject(link, CloseCode.BadHello, decoded.reason)
    const theirs = decoded.hello
    const problem = checkHello(this.hello, theirs)
    if (problem !== undefined) {
      this.report(new Error(`refused a link from ${theirs.peerId}: ${problem.reason}`), theirs.peerId)
      return this.reject(link, problem.code, problem.reason)
    }
    const peer = theirs.peerId
    const existing = this.current.get(peer)
    const choice = existing?.remote === undefined ? undefined : chooseLink(
      this.localPeer, peer,
      { dialer: existing.dialer(this.localPeer) ?? peer, session: existing.remote.session },
      { dialer: link.outbound ? this.localPeer : peer, session: theirs.session }
    )
    link.identify(theirs)
    if (choice === LinkChoice.KeepExisting) {
      this.counters.duplicatesClosed++
      return this.reject(link, CloseCode.Duplicate, clip(`duplicate link (peer ${this.localPeer})`))
    }
    if (!link.outbound) link.send(encodeHello(this.hello))
    link.open(theirs, this.options.keepaliveMs ?? 5000)
    this.counters.linksOpened++
    this.current.set(peer, link)
    if (existing !== undefined) {
      this.counters.duplicatesClosed++
      existing.close(CloseCode.Duplicate, 'replaced by another link')
    }
    this.dialer.peerUp(peer)
    if (choice === LinkChoice.Replace) return
    this.peerSet = new Set(this.current.keys())
    if (choice === LinkChoice.Restart) this.events?.peerLeft(peer)
    this.events?.peerJoined(peer)
  }

  private reject(link: Link, code: CloseCode, reason: string): void {
    this.counters.handshakesRejected++
    link.close(code, reason)
  }

  private onClosed(link: Link, code: number, reason: string): void {
    this.links.delete(link)
    this.closedBytes.in += link.bytesIn
    this.closedBytes.out += link.bytesOut
    this.counters.linksClosed++
    if (link.outbound && !link.wasOpen) this.counters.dialFailures++
    if (this.state !== LanTransportState.Up) return
    const peer = link.remote?.peerId ?? (code === CloseCode.Duplicate ? peerInReason(reason) : undefined)
    if (link.outbound && !link.wasOpen && code >= 4000) this.report(new Error(`link refused (${code}): ${reason}`), peer)
    if (peer !== undefined && this.current.get(peer) === link) {
      this.current.delete(peer)
      this.peerSet = new Set(this.current.keys())
      this.events?.peerLeft(peer)
      this.dialer.peerDown(peer)
    }
    if (link.outbound && link.target !== undefined) this.dialer.dialEnded(link.target, { handshook: link.wasOpen, code, peer })
  }

  private async finish(): Promise<void> {
    const server = this.server
    const closing = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([closing, this.options.directory?.close()])
  }

  private maxPayload(): number {
    return (this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES) + 1024
  }

  private handshakeTimeout(): number {
    return this.options.handshakeTimeoutMs ?? 5000
  }

  private report(error: Error, peer: PeerId | undefined): void {
    try {
      this.options.onError?.(error, peer)
    } catch {
      // An error callback must not take the transport down.
    }
  }
}

/** The peer GUID a duplicate-link close reason names, if any. */
function peerInReason(reason: string): PeerId | undefined {
  const m = /\(peer (.+)\)$/.exec(reason)
  return m?.[1] === undefined ? undefined : (m[1] as PeerId)
}
