import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { asPeerId, type PeerId, type Transport, type TransportEvents } from '@sship/core'
import { systemClock, TokenBucket, type Rate } from '@sship/core/internals'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { decodeWsLink, encodeWsFrame, encodeWsHello, WS_LINK_VERSION, WsCloseCode, WsLinkType } from '../wire/wsLinkWire.js'

/** Options of a {@link WsHubTransport}. */
export interface WsHubTransportOptions {
  readonly peerId: PeerId
  readonly app: string
  /** Longest wait for a browser's hello. Default 5000. */
  readonly helloTimeoutMs?: number
  /** Largest message accepted. Default 16 MiB + 1 (core's frame limit plus the type byte). */
  readonly maxPayload?: number
  /** Per-socket and per-hub limits; default {@link DEFAULT_HUB_BUDGET}. */
  readonly budget?: Partial<HubBudget>
  readonly onError?: (error: Error, peer: PeerId | undefined) => void
}

/**
 * What one browser's socket, and the whole hub, may cost: a socket whose reader does not read is
 * closed once its send queue passes `maxQueuedBytes` ({@link WsCloseCode.SendQueueFull}), one that
 * sends more than `frames` per second is closed ({@link WsCloseCode.TooManyFrames}), the hub holds
 * at most `maxSockets`, and all send queues together at most `maxHubQueuedBytes` (the longest is
 * closed). A claim on a GUID whose socket answers a ping within `claimProbeMs` is refused.
 */
export interface HubBudget {
  readonly maxQueuedBytes: number
  readonly frames: Rate
  readonly maxSockets: number
  readonly maxHubQueuedBytes: number
  readonly claimProbeMs: number
}

/** The defaults of {@link HubBudget}: far above an honest page's traffic, far below what fills the host's memory. */
export const DEFAULT_HUB_BUDGET: HubBudget = {
  maxQueuedBytes: 32 * 1024 * 1024,
  frames: { perSecond: 1000, burst: 3000 },
  maxSockets: 512,
  maxHubQueuedBytes: 128 * 1024 * 1024,
  claimProbeMs: 2000
}

/** How long a closing socket may take to finish its close handshake before it is destroyed. */
const CLOSE_GRACE_MS = 1000

/**
 * The host's side of browsers' WebSocket links (`WsClientTransport` in the page), as a sship
 * {@link Transport}: the HTTP server hands it upgrades of `/sship` ({@link handleUpgrade}); a
 * browser says hello with its GUID, the host answers with its own, then frames flow. A newer link
 * from the same GUID replaces the older one only if the older one does not answer a ping within
 * `claimProbeMs` (a hello proves nothing). Every socket has a {@link HubBudget}. The host relays
 * nothing between browsers.
 */
export class WsHubTransport implements Transport {
  readonly localPeer: PeerId
  /** A killed browser's TCP socket closes at once (its kernel or browser sends FIN or RST): the link closes, `peerLeft` follows. */
  readonly closesOnCrash = true
  private readonly wss: WebSocketServer
  private readonly byPeer = new Map<PeerId, WebSocket>()
  private readonly sockets = new Set<WebSocket>()
  private readonly lastHeard = new WeakMap<WebSocket, number>()
  private events: TransportEvents | undefined
  private closed = false
  private readonly budget: HubBudget

  constructor(private readonly options: WsHubTransportOptions) {
    this.localPeer = options.peerId
    this.budget = { ...DEFAULT_HUB_BUDGET, ...options.budget }
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 16 * 1024 * 1024 + 1, perMessageDeflate: false, clientTracking: false })
  }

  /** Takes over one HTTP upgrade request (the caller checked the path). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      socket.destroy()
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws))
  }

  connect(events: TransportEvents): void {
    if (this.closed || this.events !== undefined) return
    this.events = events
    for (const peer of this.byPeer.keys()) events.peerJoined(peer)
  }

  send(to: PeerId, data: Uint8Array): void {
    const ws = this.byPeer.get(to)
    if (this.closed || ws === undefined || ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > this.budget.maxQueuedBytes) return this.drop(ws, WsCloseCode.SendQueueFull, 'send queue over budget: not reading')
    ws.send(encodeWsFrame(data), (error) => {
      if (error !== undefined && error !== null) this.report(error, to)
    })
    if (ws.bufferedAmount > this.budget.maxQueuedBytes / 4) this.enforceHubQueueBudget()
  }

  peers(): ReadonlySet<PeerId> {
    return new Set(this.byPeer.keys())
  }

  /** Browsers linked now. */
  get linkCount(): number {
    return this.byPeer.size
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    for (const ws of this.sockets) {
      try {
        ws.close(WsCloseCode.GoingAway, 'host leaving')
      } catch {
        ws.terminate()
      }
    }
    this.sockets.clear()
    this.byPeer.clear()
    this.wss.close()
  }

  private onSocket(ws: WebSocket): void {
    if (this.closed) {
      ws.terminate()
      return
    }
    if (this.sockets.size >= this.budget.maxSockets) return this.drop(ws, WsCloseCode.ServerFull, 'too many sockets; try again later')
    this.sockets.add(ws)
    const frames = new TokenBucket(this.budget.frames, systemClock)
    this.lastHeard.set(ws, performance.now())
    ws.on('pong', () => this.lastHeard.set(ws, performance.now()))
    let peer: PeerId | undefined
    const helloTimer = setTimeout(() => ws.close(WsCloseCode.BadHello, 'no hello'), this.options.helloTimeoutMs ?? 5000)
    helloTimer.unref()
    ws.on('error', (error) => this.report(error, peer))
    ws.on('close', () => {
      clearTimeout(helloTimer)
      this.sockets.delete(ws)
      if (peer === undefined || this.byPeer.get(peer) !== ws) return
      this.byPeer.delete(peer)
      if (!this.closed) this.events?.peerLeft(peer)
    })
    ws.on('message', (data: RawData, isBinary: boolean) => {
      this.lastHeard.set(ws, performance.now())
      if (!frames.take()) return this.drop(ws, WsCloseCode.TooManyFrames, `over ${this.budget.frames.perSecond} frames/s`)
      const bytes = isBinary ? toBytes(data) : undefined
      const message = bytes === undefined ? undefined : decodeWsLink(bytes)
      if (message?.type === WsLinkType.Frame) {
        // Only the GUID's current socket speaks for it (not a claimant still being checked).
        if (peer !== undefined && !this.closed && this.byPeer.get(peer) === ws) this.events?.frame(peer, message.frame)
        return
      }
      clearTimeout(helloTimer)
      if (message === undefined || peer !== undefined || message.version !== WS_LINK_VERSION) return ws.close(WsCloseCode.BadHello, 'bad hello')
      if (message.app !== this.options.app) return ws.close(WsCloseCode.WrongApp, `this host serves ${this.options.app}`)
      if (message.peer === this.localPeer) return ws.close(WsCloseCode.Duplicate, 'that is me')
      const claimed = asPeerId(message.peer)
      peer = claimed
      const old = this.byPeer.get(claimed)
      if (old === undefined || old.readyState !== old.OPEN) return this.admit(ws, claimed, old)
      // A hello proves nothing: the current socket of that GUID keeps it if it still answers a ping.
      const asked = performance.now()
      try {
        old.ping()
      } catch {
        // The close event follows.
      }
      setTimeout(() => {
        if (this.closed || ws.readyState !== ws.OPEN) return
        const current = this.byPeer.get(claimed)
        if (current !== undefined && current.readyState === current.OPEN && (this.lastHeard.get(current) ?? 0) >= asked) {
          this.drop(ws, WsCloseCode.Duplicate, 'that peer is linked and answering')
        } else this.admit(ws, claimed, current)
      }, this.budget.claimProbeMs).unref()
    })
  }

  private admit(ws: WebSocket, peer: PeerId, old: WebSocket | undefined): void {
    ws.send(encodeWsHello(this.options.app, this.localPeer))
    this.byPeer.set(peer, ws)
    if (old !== undefined) {
      // The same browser peer on a new socket (the old one is stale): rejoin so sync starts over.
      this.drop(old, WsCloseCode.Replaced, 'replaced by a newer link')
      this.events?.peerLeft(peer)
    }
    this.events?.peerJoined(peer)
  }

  /** Closes a socket with `code`; destroys it if the close handshake has not finished within a second (a reader that does not read never finishes it). */
  private drop(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason)
    } catch {
      ws.terminate()
    }
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref()
  }

  /** Closes the socket with the longest send queue while all queues together are over the hub's budget. */
  private enforceHubQueueBudget(): void {
    let total = 0
    let longest: WebSocket | undefined
    for (const ws of this.sockets) {
      total += ws.bufferedAmount
      if (longest === undefined || ws.bufferedAmount > longest.bufferedAmount) longest = ws
    }
    if (total > this.budget.maxHubQueuedBytes && longest !== undefined) this.drop(longest, WsCloseCode.SendQueueFull, 'send queues over the hub budget: not reading')
  }

  private report(error: Error, peer: PeerId | undefined): void {
    try {
      this.options.onError?.(error, peer)
    } catch {
      // nowhere left to report to
    }
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
