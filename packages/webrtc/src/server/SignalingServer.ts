import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TokenBucket, systemClock } from '@sship/core'
import { WebSocketServer, type WebSocket } from 'ws'
import { formatSignalingMessage, parseSignalingMessage, type ServerMessage } from '../signaling/signalingMessages.js'
import { DEFAULT_SIGNALING_LIMITS, SignalingCloseCode, type SignalingLimits } from './SignalingLimits.js'
import { TopicTable } from './TopicTable.js'

/** Options of {@link SignalingServer.start}. */
export interface SignalingServerOptions {
  /** Address to bind, e.g. `127.0.0.1` in tests or a LAN address for browsers to reach. */
  readonly host: string
  /** Port to bind; 0 picks a free one (see {@link SignalingServer.port}). */
  readonly port: number
  /** Interval of WebSocket-level pings; a client that missed one pong is dropped. Default 30000 (as y-webrtc's server). */
  readonly pingIntervalMs?: number
  /** Per-connection and per-server limits; default {@link DEFAULT_SIGNALING_LIMITS}. */
  readonly limits?: Partial<SignalingLimits>
}

interface Client {
  readonly socket: WebSocket
  readonly messages: TokenBucket
  alive: boolean
  closing: boolean
}

/** A publish to n subscribers costs 1 + ⌊n / this⌋ of the sender's message budget. */
const PUBLISH_FANOUT_PER_TOKEN = 5

/** Budgets of the HTTP server under the WebSocket server: a slow or silent client is closed within seconds. */
const HTTP_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 15_000, connectionsCheckingInterval: 1_000, maxHeaderSize: 16 * 1024 } as const

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
  private readonly limitCloses = { messages: 0, topics: 0, notReading: 0, full: 0 }

  private constructor(private readonly wss: WebSocketServer, private readonly http: HttpServer, pingIntervalMs: number, private readonly limits: SignalingLimits) {
    wss.on('connection', (socket: WebSocket) => this.onConnection(socket))
    this.pinger = setInterval(() => this.pingAll(), pingIntervalMs)
    this.pinger.unref()
  }

  /** Starts a server; resolves once it listens, rejects with the bind error (e.g. `EADDRINUSE`). */
  static start(options: SignalingServerOptions): Promise<SignalingServer> {
    const limits = { ...DEFAULT_SIGNALING_LIMITS, ...options.limits }
    return new Promise((resolve, reject) => {
      const http = createServer(HTTP_TIMEOUTS, (_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('this port speaks WebSocket (signaling)\n')
      })
      http.on('clientError', (error, socket) => {
        // Answered, then destroyed: a client that does not read (a slowloris) must not keep the socket half-open.
        const status = (error as { code?: string }).code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
        if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy())
        else socket.destroy()
      })
      const wss = new WebSocketServer({ server: http, maxPayload: limits.maxMessageBytes, perMessageDeflate: false, clientTracking: false })
      wss.on('error', () => {})
      http.once('error', reject)
      http.listen({ host: options.host, port: options.port }, () => {
        http.off('error', reject)
        http.on('error', () => {})
        resolve(new SignalingServer(wss, http, options.pingIntervalMs ?? 30_000, limits))
      })
    })
  }

  /** The bound port. */
  get port(): number {
    return (this.http.address() as AddressInfo).port
  }

  /** The bound address. */
  get host(): string {
    return (this.http.address() as AddressInfo).address
  }

  /** The URL clients dial, e.g. `ws://127.0.0.1:4444`. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `ws://${host}:${this.port}`
  }

  /** Connected clients, topics with subscribers, and connections closed for going over a limit, for diagnostics. */
  stats(): { readonly clients: number; readonly topics: number; readonly limitCloses: { readonly messages: number; readonly topics: number; readonly notReading: number; readonly full: number } } {
    return { clients: this.clients.size, topics: this.topics.topicCount, limitCloses: { ...this.limitCloses } }
  }

  /** Stops listening and drops every client; resolves when the server is closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      clearInterval(this.pinger)
      for (const client of this.clients) client.socket.terminate()
      this.clients.clear()
      this.wss.close()
      this.http.closeAllConnections()
      this.http.close(() => resolve())
    })
    return this.closing
  }

  private onConnection(socket: WebSocket): void {
    if (this.closing !== undefined) {
      socket.terminate()
      return
    }
    const client: Client = { socket, alive: true, closing: false, messages: new TokenBucket(this.limits.messages, systemClock) }
    if (this.clients.size >= this.limits.maxConnections) {
      this.limitCloses.full++
      this.drop(client, SignalingCloseCode.ServerFull, 'server full; try again later')
      return
    }
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
      if (client.closing) return
      if (!client.messages.take()) {
        this.limitCloses.messages++
        return this.drop(client, SignalingCloseCode.TooManyMessages, `over ${this.limits.messages.perSecond} messages/s`)
      }
      if (isBinary) return
      const message = parseSignalingMessage(data.toString())
      switch (message?.type) {
        case 'subscribe': return this.subscribe(client, message.topics)
        case 'unsubscribe': return this.topics.unsubscribe(client, message.topics)
        case 'publish': {
          const receivers = this.topics.subscribers(message.topic)
          // A relay costs the server one send per subscriber: a big room's publishes count for more.
          if (!client.messages.take(Math.floor(receivers.length / PUBLISH_FANOUT_PER_TOKEN))) {
            this.limitCloses.messages++
            return this.drop(client, SignalingCloseCode.TooManyMessages, `over ${this.limits.messages.perSecond} messages/s (relays count per ${PUBLISH_FANOUT_PER_TOKEN} receivers)`)
          }
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

  private subscribe(client: Client, topics: readonly string[]): void {
    const fresh = [...new Set(topics)].filter((t) => !this.topics.has(client, t))
    const tooLong = fresh.some((t) => t.length > this.limits.maxTopicChars)
    const newTopics = fresh.filter((t) => this.topics.subscribers(t).length === 0).length
    if (tooLong || this.topics.topicsOf(client) + fresh.length > this.limits.topicsPerConnection ||
        this.topics.topicCount + newTopics > this.limits.maxTopics) {
      this.limitCloses.topics++
      return this.drop(client, SignalingCloseCode.TooManyTopics, tooLong ? 'topic name too long' : 'too many topics')
    }
    this.topics.subscribe(client, fresh)
  }

  private sendText(client: Client, text: string): void {
    if (client.closing || client.socket.readyState !== client.socket.OPEN) return
    if (client.socket.bufferedAmount > this.limits.maxQueuedBytes) {
      this.limitCloses.notReading++
      return this.drop(client, SignalingCloseCode.NotReading, 'not reading')
    }
    client.socket.send(text, (error) => {
      if (error !== undefined && error !== null) client.socket.terminate()
    })
  }

  /** Closes a client over a limit: it leaves its topics at once; the socket is destroyed if the close handshake stalls. */
  private drop(client: Client, code: SignalingCloseCode, reason: string): void {
    if (client.closing) return
    client.closing = true
    this.topics.remove(client)
    try {
      client.socket.close(code, reason)
    } catch {
      client.socket.terminate()
    }
    setTimeout(() => client.socket.terminate(), 1000).unref()
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
