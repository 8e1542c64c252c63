import { asPeerId, type Clock, type PeerId, type Random, type Transport, type TransportEvents } from '@sship/core'
import { Backoff, cryptoRandom, systemClock, type BackoffOptions, type TimerHandle } from '@sship/core/internals'
import { decodeWsLink, encodeWsFrame, encodeWsHello, WS_LINK_VERSION, WsCloseCode, WsLinkType } from '../wire/wsLinkWire.js'

/** The part of the WebSocket API this transport uses (the browser's, or `ws` in Node tests). */
export interface LinkSocket {
  binaryType: string
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { readonly data: unknown }) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
}

/** A WebSocket constructor. */
export type LinkSocketConstructor = new (url: string) => LinkSocket

/** Where one host URL stands. */
export const HostLinkState = {
  Connecting: 'connecting',
  Open: 'open',
  /** Waiting to redial after a failure or a close. */
  Waiting: 'waiting',
  /** Too many failures in a row; {@link WsClientTransport.addUrl} starts it again. */
  GaveUp: 'gave-up',
  /** The URL leads to this peer itself, or to a host already linked another way. */
  Duplicate: 'duplicate'
} as const
/** One of {@link HostLinkState}'s values. */
export type HostLinkState = (typeof HostLinkState)[keyof typeof HostLinkState]

/** One host URL as {@link WsClientTransport.getLinks} shows it. */
export interface HostLinkInfo {
  readonly url: string
  readonly state: HostLinkState
  /** The host's GUID, once it said hello. */
  readonly peer: PeerId | undefined
  /** Failed attempts in a row. */
  readonly failures: number
}

/** Options of a {@link WsClientTransport}. */
export interface WsClientTransportOptions {
  readonly peerId: PeerId
  /** The app's name (checked in the hellos). */
  readonly app: string
  /** Host URLs to dial at once, e.g. `ws://<page's host>/sship`. */
  readonly urls: readonly string[]
  /** Default `globalThis.WebSocket`. */
  readonly WebSocket?: LinkSocketConstructor
  readonly clock?: Clock
  readonly random?: Random
  /** Redial backoff. Default 100 ms doubling to 1 s: a returning host is re-linked before its join grace ends. */
  readonly backoff?: BackoffOptions
  /** Failed attempts in a row after which a URL is given up (each loop is bounded). Default 600 (about 10 minutes). */
  readonly maxFailures?: number
  /** Longest wait for the host's hello after the socket opened. Default 5000. */
  readonly helloTimeoutMs?: number
  readonly onError?: (error: Error, peer: PeerId | undefined) => void
}

interface Dial {
  readonly url: string
  readonly backoff: Backoff
  state: HostLinkState
  socket: LinkSocket | undefined
  peer: PeerId | undefined
  failures: number
  timer: TimerHandle | undefined
}

const OPEN = 1

/**
 * A browser's (or Node process's) links to hosts over plain WebSockets (a `WsHubTransport`
 * behind e.g. `/sship`), as a sship {@link Transport}: each URL is dialed and redialed with
 * bounded, jittered backoff; the host says hello with its GUID, and from then on frames flow
 * both ways. Hosts relay nothing: browsers reach each other over WebRTC (give the peer both,
 * `transport: [ws, rtc]`).
 *
 * Dialing starts at construction, so an app can wait for a host ({@link waitForLink}) before it
 * builds its peer and so join the host's app instead of creating one of its own.
 */
export class WsClientTransport implements Transport {
  readonly localPeer: PeerId
  /** A killed host's TCP socket closes at once (its kernel or browser sends FIN or RST): the link closes, `peerLeft` follows. */
  readonly closesOnCrash = true
  private readonly clock: Clock
  private readonly random: Random
  private readonly WebSocket: LinkSocketConstructor
  private readonly dials = new Map<string, Dial>()
  private readonly byPeer = new Map<PeerId, Dial>()
  private readonly listeners = new Set<() => void>()
  private links: readonly HostLinkInfo[] = []
  private events: TransportEvents | undefined
  private closed = false

  constructor(private readonly options: WsClientTransportOptions) {
    this.localPeer = options.peerId
    this.clock = options.clock ?? systemClock
    this.random = options.random ?? cryptoRandom
    const ctor = options.WebSocket ?? (globalThis as { WebSocket?: LinkSocketConstructor }).WebSocket
    if (ctor === undefined) throw new TypeError('WsClientTransport needs a WebSocket constructor (pass one on Node)')
    this.WebSocket = ctor
    for (const url of options.urls) this.addUrl(url)
  }

  connect(events: TransportEvents): void {
    if (this.closed || this.events !== undefined) return
    this.events = events
    for (const peer of this.byPeer.keys()) events.peerJoined(peer)
  }

  send(to: PeerId, data: Uint8Array): void {
    const socket = this.byPeer.get(to)?.socket
    if (this.closed || socket === undefined || socket.readyState !== OPEN) return
    try {
      socket.send(encodeWsFrame(data))
    } catch (error) {
      this.report(error, to)
    }
  }

  peers(): ReadonlySet<PeerId> {
    return new Set(this.byPeer.keys())
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    for (const dial of this.dials.values()) {
      if (dial.timer !== undefined) this.clock.clearTimeout(dial.timer)
      this.closeSocket(dial, WsCloseCode.GoingAway, 'leaving')
    }
    this.byPeer.clear()
    this.notify()
  }

  /** Dials `url` too (a host learned from the shared data); restarts a URL that was given up. */
  addUrl(url: string): void {
    if (this.closed) return
    const known = this.dials.get(url)
    if (known !== undefined) {
      if (known.state === HostLinkState.GaveUp) {
        known.failures = 0
        this.open(known)
      }
      return
    }
    const dial: Dial = { url, backoff: new Backoff(this.random, this.options.backoff ?? { initialMs: 100, maxMs: 1000 }), state: HostLinkState.Connecting, socket: undefined, peer: undefined, failures: 0, timer: undefined }
    this.dials.set(url, dial)
    this.open(dial)
  }

  /** Resolves true once any host link is open, false after `timeoutMs`. */
  waitForLink(timeoutMs: number): Promise<boolean> {
    if (this.byPeer.size > 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        off()
        resolve(false)
      }, timeoutMs)
      const off = this.subscribe(() => {
        if (this.byPeer.size === 0) return
        this.clock.clearTimeout(timer)
        off()
        resolve(true)
      })
    })
  }

  /** Every URL and where it stands (same array until something changes). */
  getLinks(): readonly HostLinkInfo[] {
    return this.links
  }

  /** Calls `listener` when {@link getLinks} changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private open(dial: Dial): void {
    dial.timer = undefined
    dial.state = HostLinkState.Connecting
    dial.peer = undefined
    this.notify()
    let socket: LinkSocket
    try {
      socket = new this.WebSocket(dial.url)
    } catch (error) {
      this.report(error, undefined)
      this.retry(dial)
      return
    }
    dial.socket = socket
    socket.binaryType = 'arraybuffer'
    let helloTimer: TimerHandle | undefined
    socket.onopen = () => {
      if (dial.socket !== socket) return
      socket.send(encodeWsHello(this.options.app, this.localPeer))
      helloTimer = this.clock.setTimeout(() => this.closeSocket(dial, WsCloseCode.BadHello, 'no hello'), this.options.helloTimeoutMs ?? 5000)
    }
    socket.onmessage = (ev) => {
      if (dial.socket !== socket) return
      const bytes = ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : ev.data instanceof Uint8Array ? ev.data : undefined
      const message = bytes === undefined ? undefined : decodeWsLink(bytes)
      if (message?.type === WsLinkType.Frame) {
        if (dial.peer !== undefined) this.events?.frame(dial.peer, message.frame)
        return
      }
      if (helloTimer !== undefined) this.clock.clearTimeout(helloTimer)
      if (message === undefined || message.version !== WS_LINK_VERSION || message.app !== this.options.app || dial.peer !== undefined) {
        this.report(new Error(`bad hello from ${dial.url}`), undefined)
        this.closeSocket(dial, WsCloseCode.BadHello, 'bad hello')
        return
      }
      this.onHello(dial, asPeerId(message.peer))
    }
    socket.onerror = () => {}
    socket.onclose = () => {
      if (helloTimer !== undefined) this.clock.clearTimeout(helloTimer)
      if (dial.socket !== socket) return
      dial.socket = undefined
      this.dropPeer(dial)
      this.retry(dial)
    }
  }

  private onHello(dial: Dial, peer: PeerId): void {
    const other = this.byPeer.get(peer)
    if (peer === this.localPeer || (other !== undefined && other !== dial)) {
      // Another URL of a host we have (or ourselves): wait and look again, in case that link drops.
      dial.state = HostLinkState.Duplicate
      this.closeSocket(dial, WsCloseCode.Duplicate, 'duplicate')
      return
    }
    dial.peer = peer
    dial.state = HostLinkState.Open
    dial.failures = 0
    dial.backoff.reset()
    this.byPeer.set(peer, dial)
    this.notify()
    this.events?.peerJoined(peer)
  }

  private dropPeer(dial: Dial): void {
    const peer = dial.peer
    if (peer === undefined || this.byPeer.get(peer) !== dial) return
    this.byPeer.delete(peer)
    this.events?.peerLeft(peer)
  }

  private retry(dial: Dial): void {
    if (this.closed) return
    if (dial.state !== HostLinkState.Duplicate) dial.failures++
    if (dial.failures > (this.options.maxFailures ?? 600)) {
      dial.state = HostLinkState.GaveUp
      this.notify()
      return
    }
    if (dial.state !== HostLinkState.Duplicate) dial.state = HostLinkState.Waiting
    this.notify()
    dial.timer = this.clock.setTimeout(() => this.open(dial), dial.state === HostLinkState.Duplicate ? 5000 : dial.backoff.next())
  }

  private closeSocket(dial: Dial, code: number, reason: string): void {
    const socket = dial.socket
    if (socket === undefined) return
    try {
      socket.close(code, reason)
    } catch {
      // already closing
    }
    // Some sockets report the close late (or never, if the network is gone): act now.
    socket.onclose?.({})
  }

  private notify(): void {
    this.links = [...this.dials.values()].map((d) => ({ url: d.url, state: d.state, peer: d.peer, failures: d.failures }))
    for (const l of this.listeners) l()
  }

  private report(error: unknown, peer: PeerId | undefined): void {
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)), peer)
    } catch {
      // nowhere left to report to
    }
  }
}
