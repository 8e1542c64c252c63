import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { formatSignalingMessage, parseSignalingMessage, type ServerMessage } from '../signaling/signalingMessages.js'
import { TopicTable } from './TopicTable.js'

/** Options of {@link SignalingServer.start}. */
export interface SignalingServerOptions {
  /** Address to bind, e.g. `127.0.0.1` in tests or a LAN address for browsers to reach. */
  readonly host: string
  /** Port to bind; 0 picks a free one (see {@link SignalingServer.port}). */
  readonly port: number
  /** Interval of WebSocket-level pings; a client that missed one pong is dropped. Default 30000 (as y-webrtc's server). */
  readonly pingIntervalMs?: number
  /** Largest message accepted, in bytes. Default 1 MiB (signals are a few KiB). */
  readonly maxPayload?: number
}

interface Client {
  readonly socket: WebSocket
  alive: boolean
}

/**
 * A y-webrtc-compatible signaling server (the protocol of y-webrtc's `bin/server.js`): clients
 * `subscribe` / `unsubscribe` topics, `publish` relays a message to every subscriber of its topic
 * (the sender included, with a `clients` count), and `ping` gets a `pong`. Any Node peer can run
 * one; stock y-webrtc providers and {@link WebrtcTransport} both use it. It keeps no state beyond
 * its open connections, so a restarted or replaced server loses nothing.
 */
export class SignalingServer {
  private readonly topics = new TopicTable<Client>()
  private readonly clients = new Set<Client>()
  private readonly pinger: ReturnType<typeof setInterval>
  private closing: Promise<void> | undefined

  private constructor(private readonly wss: WebSocketServer, pingIntervalMs: number) {
    wss.on('connection', (socket: WebSocket) => this.onConnection(socket))
    this.pinger = setInterval(() => this.pingAll(), pingIntervalMs)
    this.pinger.unref()
  }

  /** Starts a server; resolves once it listens, rejects with the bind error (e.g. `EADDRINUSE`). */
  static start(options: SignalingServerOptions): Promise<SignalingServer> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({
        host: options.host, port: options.port, maxPayload: options.maxPayload ?? 1024 * 1024, perMessageDeflate: false, clientTracking: false
      })
      wss.once('error', reject)
      wss.once('listening', () => {
        wss.off('error', reject)
        wss.on('error', () => {})
        resolve(new SignalingServer(wss, options.pingIntervalMs ?? 30_000))
      })
    })
  }

  /** The bound port. */
  get port(): number {
    return (this.wss.address() as AddressInfo).port
  }

  /** The bound address. */
  get host(): string {
    return (this.wss.address() as AddressInfo).address
  }

  /** The URL clients dial, e.g. `ws://127.0.0.1:4444`. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `ws://${host}:${this.port}`
  }

  /** Connected clients and topics with subscribers, for diagnostics. */
  stats(): { readonly clients: number; readonly topics: number } {
    return { clients: this.clients.size, topics: this.topics.topicCount }
  }

  /** Stops listening and drops every client; resolves when the server is closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      clearInterval(this.pinger)
      for (const client of this.clients) client.socket.terminate()
      this.clients.clear()
      this.wss.close(() => resolve())
    })
    return this.closing
  }

  private onConnection(socket: WebSocket): void {
    if (this.closing !== undefined) {
      socket.terminate()
      return
    }
    const client: Client = { socket, alive: true }
    this.clients.add(client)
    socket.on('pong', () => {
      client.alive = true
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.clients.delete(client)
      this.topics.remove(client)
    })
    socket.on('message', (data, isBinary) => {
      if (isBinary) return
      const message = parseSignalingMessage(data.toString())
      switch (message?.type) {
        case 'subscribe': return this.topics.subscribe(client, message.topics)
        case 'unsubscribe': return this.topics.unsubscribe(client, message.topics)
        case 'publish': {
          const receivers = this.topics.subscribers(message.topic)
          const relayed: ServerMessage = { type: 'publish', topic: message.topic, data: message.data, clients: receivers.length }
          const text = formatSignalingMessage(relayed)
          for (const receiver of receivers) this.sendText(receiver, text)
          return
        }
        case 'ping': return this.sendText(client, formatSignalingMessage({ type: 'pong' }))
        default: return
      }
    })
  }

  private sendText(client: Client, text: string): void {
    if (client.socket.readyState !== client.socket.OPEN) return
    client.socket.send(text, (error) => {
      if (error !== undefined && error !== null) client.socket.terminate()
    })
  }

  private pingAll(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate()
        continue
      }
      client.alive = false
      try {
        client.socket.ping()
      } catch {
        client.socket.terminate()
      }
    }
  }
}
