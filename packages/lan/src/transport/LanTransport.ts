import type { Socket } from 'node:net'
import { asPeerId, type Clock, type PeerId, type Transport, type TransportEvents } from '@sship/core'
import {
  DEFAULT_BACKOFF, DEFAULT_MAX_FRAME_BYTES, PROTOCOL_VERSION, cryptoRandom, randomHex, systemClock
} from '@sship/core/internals'
import type WebSocket from 'ws'
import { CloseCode, duplicateReason, isPermanentRejection, peerInDuplicateReason } from './CloseCode.js'
import { dialLink } from './dialLink.js'
import { Dialer, type DialTarget } from './Dialer.js'
import { checkHello, decodeHello, encodeHello, type Hello } from './hello.js'
import { emptyLanTransportStats, type LanTransportStats } from './LanTransportStats.js'
import { Link, LinkState } from './Link.js'
import { Admission, LinkTable } from './LinkTable.js'
import { DEFAULT_LINK_BUDGET, type LinkBudget } from './LinkBudget.js'
import { mayDisplace } from './linkGuard.js'
import { LostReason } from '../discovery/PeerDirectory.js'
import { LanTransportState, type LanTransportOptions } from './LanTransportOptions.js'
import { parseHostPort, type HostPort } from './peerAddress.js'
import { startServer, stopServer, type StartedServer } from './startServer.js'

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
  /** A killed peer's kernel closes its TCP sockets at once: its links close within a round trip. */
  readonly closesOnCrash = true
  private state: LanTransportState = LanTransportState.Idle
  private events: TransportEvents | undefined
  private server: Promise<StartedServer> | undefined
  private bound: HostPort | undefined
  private readonly table: LinkTable
  private readonly dialer: Dialer
  private readonly hello: Hello
  private readonly clock: Clock
  private readonly budget: LinkBudget
  private readonly counters = emptyLanTransportStats()
  private offDirectory: (() => void) | undefined
  private finished: Promise<void> | undefined

  constructor(private readonly options: LanTransportOptions) {
    this.localPeer = options.peerId
    this.clock = options.clock ?? systemClock
    this.budget = { ...DEFAULT_LINK_BUDGET, ...options.budget }
    const random = options.random ?? cryptoRandom
    this.table = new LinkTable(this.localPeer)
    this.hello = { protocol: options.protocolVersion ?? PROTOCOL_VERSION, app: options.app, peerId: options.peerId, session: randomHex(random, 8) }
    this.dialer = new Dialer({
      self: this.localPeer, clock: this.clock, random,
      isLinked: (peer) => this.table.has(peer),
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
    this.server ??= startServer({
      host: this.options.host ?? '127.0.0.1', port: this.options.port ?? 0, maxPayload: this.maxPayload(),
      connection: (ws, socket) => this.accept(ws, socket),
      error: (e) => this.report(e, undefined)
    })
    return this.server.then((s) => {
      this.bound = s.address
      return s.address
    })
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
      this.offDirectory = directory.subscribe({ found: (e) => this.dialer.found(e), lost: (p, reason) => this.onDirectoryLost(p, reason) })
      for (const e of directory.entries()) this.dialer.found(e)
    }
    const ready = this.options.listen === false ? Promise.resolve(undefined) : this.listen()
    ready
      .then((self) => (this.state === LanTransportState.Up ? directory?.start(self) : undefined))
      .catch((e: unknown) => this.report(e instanceof Error ? e : new Error(String(e)), undefined))
  }

  /** Sends a copy of `data` to `to`; dropped if `to` is not joined. */
  send(to: PeerId, data: Uint8Array): void {
    const link = this.state === LanTransportState.Up ? this.table.get(to) : undefined
    if (link === undefined || !link.send(new Uint8Array(data))) {
      this.counters.framesDropped++
      return
    }
    if (link.queuedBytes > this.budget.maxQueuedBytes / 4) this.enforceServerQueueBudget()
    this.counters.framesOut++
    this.counters.payloadBytesOut += data.byteLength
  }

  /** The peers with a current link (same set object until it changes). */
  peers(): ReadonlySet<PeerId> {
    return this.table.peers()
  }

  /** Closes every link with a goodbye, stops the server and the directory (goodbye over mDNS). Idempotent. */
  close(): void {
    if (this.state === LanTransportState.Closed) return
    this.state = LanTransportState.Closed
    this.events = undefined
    this.dialer.stop()
    this.offDirectory?.()
    for (const link of this.table.all()) link.close(CloseCode.Goodbye, 'peer closed')
    this.table.clearCurrent()
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
    for (const link of this.table.all()) {
      if (peer !== undefined && link.remote?.peerId !== peer) continue
      link.terminate()
      n++
    }
    this.counters.cuts += n
    return n
  }

  /** Counters, with socket bytes of live and closed links. */
  stats(): LanTransportStats {
    const bytes = this.table.bytes()
    return { ...this.counters, bytesIn: bytes.in, bytesOut: bytes.out, liveLinks: this.table.size }
  }

  private accept(ws: WebSocket, socket: Socket): void {
    if (this.state === LanTransportState.Closed) {
      ws.terminate()
      return
    }
    if (this.table.size >= this.budget.maxSockets) {
      this.counters.socketsRefused++
      ws.close(CloseCode.ServerFull, 'too many sockets; try again later')
      setTimeout(() => ws.terminate(), 1000).unref()
      return
    }
    const link = this.track(new Link(ws, false, undefined, this.clock, this.linkHandlers, this.budget))
    link.attachSocket(socket)
  }

  private dial(target: DialTarget): void {
    this.counters.dials++
    this.track(dialLink({
      address: target.address, target: target.key, maxPayload: this.maxPayload(),
      handshakeTimeoutMs: this.handshakeTimeout(), hello: encodeHello(this.hello)
    }, this.clock, this.linkHandlers, this.budget))
  }

  private track(link: Link): Link {
    this.table.add(link)
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
    if (from === undefined || !this.table.has(from)) return
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
    const { admission, previous } = this.table.admit(link, theirs, (choice, current) =>
      mayDisplace(choice, { openedAt: current.openedAt ?? 0, lastHeardAt: current.lastHeardAt }, !link.outbound, this.clock.now(), {
        settleMs: this.handshakeTimeout(), silentMs: this.silentMs()
      }))
    if (admission === Admission.Refused) {
      this.counters.duplicatesClosed++
      return this.reject(link, CloseCode.Duplicate, duplicateReason(this.localPeer))
    }
    if (admission === Admission.Contested) {
      // Someone claims a peer whose link is alive: keep the link, ask it for a pong (a dead one is then noticed sooner).
      this.counters.claimsRefused++
      this.table.get(peer)?.probe()
      return this.reject(link, CloseCode.Duplicate, duplicateReason(this.localPeer))
    }
    if (!link.outbound) link.send(encodeHello(this.hello))
    link.open(theirs, this.options.keepaliveMs ?? 5000)
    this.counters.linksOpened++
    if (previous !== undefined) {
      this.counters.duplicatesClosed++
      previous.close(CloseCode.Duplicate, 'replaced by another link')
    }
    this.dialer.peerUp(peer)
    if (admission === Admission.Restarted) this.events?.peerLeft(peer)
    if (admission !== Admission.Replaced) this.events?.peerJoined(peer)
  }

  private reject(link: Link, code: CloseCode, reason: string): void {
    this.counters.handshakesRejected++
    link.close(code, reason)
  }

  private onClosed(link: Link, code: number, reason: string): void {
    const left = this.table.release(link)
    this.counters.linksClosed++
    if (link.outbound && !link.wasOpen) this.counters.dialFailures++
    if (this.state !== LanTransportState.Up) return
    const named = code === CloseCode.Duplicate ? peerInDuplicateReason(reason) : undefined
    const peer = link.remote?.peerId ?? (named === undefined ? undefined : asPeerId(named))
    if (link.outbound && isPermanentRejection(code)) this.report(new Error(`link refused (${code}): ${reason}`), peer)
    if (left !== undefined) {
      // A keepalive that gave up says the peer went silent (cut off, or we are); any other close
      // (a FIN or RST from its kernel, a close frame) says its process closed the link or died.
      this.events?.peerLeft(left, link.gaveUp ? 'silent' : 'closed')
      this.dialer.peerDown(left)
    }
    if (link.outbound && link.target !== undefined) this.dialer.dialEnded(link.target, { handshook: link.wasOpen, code, peer })
  }

  /**
   * Discovery no longer lists `peer`. A goodbye is an unauthenticated multicast packet anyone can
   * forge, so it only counts if the peer's link is silent too (a peer that really leaves closes
   * its links with {@link CloseCode.Goodbye} first); an expired or forgotten record stops redials.
   */
  private onDirectoryLost(peer: PeerId, reason: LostReason): void {
    const link = this.table.get(peer)
    if (reason === LostReason.Goodbye && link !== undefined && this.clock.now() - link.lastHeardAt <= this.silentMs()) {
      this.counters.goodbyesIgnored++
      return
    }
    this.dialer.lost(peer)
  }

  /** Closes the link with the longest send queue while all queues together are over the server's budget. */
  private enforceServerQueueBudget(): void {
    let total = 0
    let longest: Link | undefined
    for (const l of this.table.all()) {
      const q = l.queuedBytes
      total += q
      if (longest === undefined || q > longest.queuedBytes) longest = l
    }
    if (total > this.budget.maxServerQueuedBytes && longest !== undefined) {
      longest.close(CloseCode.SendQueueFull, 'send queues over the server budget: not reading')
    }
  }

  /** A current link heard from within this long is alive (the keepalive pings at least this often). */
  private silentMs(): number {
    return ((this.options.keepaliveMs ?? 5000) || 5000) + 1000
  }

  private async finish(): Promise<void> {
    const stopping = this.server?.then((s) => stopServer(s), () => undefined)
    await Promise.all([stopping, this.options.directory?.close()])
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
