import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { asPeerId, type PeerId, type Transport, type TransportEvents } from '@sship/core'
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
  readonly onError?: (error: Error, peer: PeerId | undefined) => void
}

/**
 * The host's side of browsers' WebSocket links (`WsClientTransport` in the page), as a sship
 * {@link Transport}: the HTTP server hands it upgrades of `/sship` ({@link handleUpgrade}); a
 * browser says hello with its GUID, the host answers with its own, then frames flow. A newer link
 * from the same GUID replaces the older one. The host relays nothing between browsers.
 */
export class WsHubTransport implements Transport {
  readonly localPeer: PeerId
  private readonly wss: WebSocketServer
  private readonly byPeer = new Map<PeerId, WebSocket>()
  private readonly sockets = new Set<WebSocket>()
  private events: TransportEvents | undefined
  private closed = false

  constructor(private readonly options: WsHubTransportOptions) {
    this.localPeer = options.peerId
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
    ws.send(encodeWsFrame(data), (error) => {
      if (error !== undefined && error !== null) this.report(error, to)
    })
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
    this.sockets.add(ws)
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
      const bytes = isBinary ? toBytes(data) : undefined
      const message = bytes === undefined ? undefined : decodeWsLink(bytes)
      if (message?.type === WsLinkType.Frame) {
        if (peer !== undefined && !this.closed) this.events?.frame(peer, message.frame)
        return
      }
      clearTimeout(helloTimer)
      if (message === undefined || peer !== undefined || message.version !== WS_LINK_VERSION) return ws.close(WsCloseCode.BadHello, 'bad hello')
      if (message.app !== this.options.app) return ws.close(WsCloseCode.WrongApp, `this host serves ${this.options.app}`)
      if (message.peer === this.localPeer) return ws.close(WsCloseCode.Duplicate, 'that is me')
      peer = asPeerId(message.peer)
      ws.send(encodeWsHello(this.options.app, this.localPeer))
      const old = this.byPeer.get(peer)
      this.byPeer.set(peer, ws)
      if (old !== undefined) {
        // The same browser peer on a new socket (the old one is stale): rejoin so sync starts over.
        old.close(WsCloseCode.Replaced, 'replaced by a newer link')
        this.events?.peerLeft(peer)
      }
      this.events?.peerJoined(peer)
    })
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
