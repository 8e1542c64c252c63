import { Backoff, type BackoffOptions, type Clock, type Random, type TimerHandle } from '@sship/core'
import { formatSignalingMessage, parseSignalingMessage, type ClientMessage } from './signalingMessages.js'
import { messageText, SOCKET_OPEN, type SignalingSocket, type SignalingSocketConstructor } from './SignalingSocket.js'

/** Where a {@link SignalingClient} stands. */
export const SignalingState = {
  /** Dialing, or waiting out a backoff before the next dial. */
  Connecting: 'connecting',
  /** The socket is open and subscribed to the topics. */
  Open: 'open',
  /** Closed for good by {@link SignalingClient.close}. */
  Closed: 'closed'
} as const
/** One of {@link SignalingState}'s values. */
export type SignalingState = (typeof SignalingState)[keyof typeof SignalingState]

/** What a {@link SignalingClient} tells its owner. Handlers must not throw. */
export interface SignalingClientEvents {
  /** The socket opened and the topics were subscribed: time to announce. */
  open(client: SignalingClient): void
  /** A `publish` on one of the topics arrived (including our own, as y-webrtc servers echo them). */
  publish(client: SignalingClient, topic: string, data: unknown): void
  /** The socket closed; a reconnect is scheduled. */
  down(client: SignalingClient): void
}

/** What a {@link SignalingClient} needs. */
export interface SignalingClientOptions {
  readonly url: string
  readonly topics: readonly string[]
  readonly WebSocket: SignalingSocketConstructor
  readonly clock: Clock
  readonly random: Random
  readonly backoff?: Partial<BackoffOptions>
  /** Interval of keepalive pings; a socket silent for twice this long is dropped and redialed. Default 10000. */
  readonly pingIntervalMs?: number
}

/**
 * One signaling server connection, kept up until {@link SignalingClient.close}: it redials with
 * bounded, jittered backoff, pings the server (y-webrtc's JSON `ping`), drops a silent socket,
 * and subscribes its topics on every (re)connect. All timers go through the injected clock.
 */
export class SignalingClient {
  private socket: SignalingSocket | undefined
  private state: SignalingState = SignalingState.Connecting
  private readonly backoff: Backoff
  private retryTimer: TimerHandle | undefined
  private pingTimer: TimerHandle | undefined
  private lastHeard = 0
  private readonly pingIntervalMs: number

  constructor(private readonly options: SignalingClientOptions, private readonly events: SignalingClientEvents) {
    this.backoff = new Backoff(options.random, options.backoff)
    this.pingIntervalMs = options.pingIntervalMs ?? 10_000
  }

  /** The server's URL. */
  get url(): string {
    return this.options.url
  }

  /** True while the socket is open (publishes go out). */
  get isOpen(): boolean {
    return this.state === SignalingState.Open
  }

  /** Where this client stands. */
  getState(): SignalingState {
    return this.state
  }

  /** Dials the server (and keeps redialing until {@link SignalingClient.close}). */
  start(): void {
    if (this.state === SignalingState.Closed || this.socket !== undefined) return
    this.dial()
  }

  /** Sends a message if the socket is open; returns whether it went out. */
  send(message: ClientMessage): boolean {
    const socket = this.socket
    if (this.state !== SignalingState.Open || socket === undefined || socket.readyState !== SOCKET_OPEN) return false
    try {
      socket.send(formatSignalingMessage(message))
      return true
    } catch {
      return false
    }
  }

  /** Unsubscribes (if open) and closes for good; no event is reported after this. */
  close(): void {
    if (this.state === SignalingState.Closed) return
    this.send({ type: 'unsubscribe', topics: this.options.topics })
    this.state = SignalingState.Closed
    this.clearTimers()
    this.dropSocket()
  }

  private dial(): void {
    let socket: SignalingSocket
    try {
      socket = new this.options.WebSocket(this.options.url)
    } catch {
      this.scheduleRetry()
      return
    }
    this.socket = socket
    socket.onopen = () => {
      if (this.socket !== socket || this.state === SignalingState.Closed) return
      this.state = SignalingState.Open
      this.backoff.reset()
      this.lastHeard = this.options.clock.now()
      this.send({ type: 'subscribe', topics: this.options.topics })
      this.schedulePing()
      this.events.open(this)
    }
    socket.onmessage = (event: unknown) => {
      if (this.socket !== socket || this.state !== SignalingState.Open) return
      this.lastHeard = this.options.clock.now()
      const text = messageText(event)
      const message = text === undefined ? undefined : parseSignalingMessage(text)
      if (message?.type === 'publish') this.events.publish(this, message.topic, message.data)
    }
    socket.onerror = () => {
      // A 'close' always follows; reconnecting is handled there.
    }
    socket.onclose = () => {
      if (this.socket !== socket) return
      this.lost()
    }
  }

  /** The socket went away (closed, or silent too long): report it and redial later. */
  private lost(): void {
    const wasOpen = this.state === SignalingState.Open
    this.dropSocket()
    if (this.state === SignalingState.Closed) return
    this.state = SignalingState.Connecting
    if (this.pingTimer !== undefined) this.options.clock.clearTimeout(this.pingTimer)
    this.pingTimer = undefined
    this.scheduleRetry()
    if (wasOpen) this.events.down(this)
  }

  private scheduleRetry(): void {
    if (this.state === SignalingState.Closed || this.retryTimer !== undefined) return
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined
      if (this.state !== SignalingState.Closed && this.socket === undefined) this.dial()
    }, this.backoff.next())
  }

  private schedulePing(): void {
    this.pingTimer = this.options.clock.setTimeout(() => {
      this.pingTimer = undefined
      if (this.state !== SignalingState.Open) return
      if (this.options.clock.now() - this.lastHeard > 2 * this.pingIntervalMs) {
        this.lost()
        return
      }
      this.send({ type: 'ping' })
      this.schedulePing()
    }, this.pingIntervalMs)
  }

  private dropSocket(): void {
    const socket = this.socket
    this.socket = undefined
    if (socket === undefined) return
    socket.onopen = socket.onmessage = socket.onclose = null
    // Keep swallowing errors: ws emits 'error' when a socket is closed while still connecting.
    socket.onerror = () => {}
    try {
      socket.close()
    } catch {
      // already closed
    }
  }

  private clearTimers(): void {
    if (this.retryTimer !== undefined) this.options.clock.clearTimeout(this.retryTimer)
    if (this.pingTimer !== undefined) this.options.clock.clearTimeout(this.pingTimer)
    this.retryTimer = this.pingTimer = undefined
  }
}
