import type { Clock, Random } from '@sship/core'
import type { BackoffOptions } from './Backoff.js'
import { SignalingClient, type SignalingClientEvents } from './SignalingClient.js'
import type { SignalingSocketConstructor } from './SignalingSocket.js'

/** What a {@link SignalingPool} needs. */
export interface SignalingPoolOptions {
  /** Every signaling server to use; all are kept connected, none is special. */
  readonly urls: readonly string[]
  /** The one topic (room) this pool subscribes and publishes on. */
  readonly topic: string
  readonly WebSocket: SignalingSocketConstructor
  readonly clock: Clock
  readonly random: Random
  readonly backoff?: BackoffOptions
  readonly pingIntervalMs?: number
}

/**
 * A set of signaling servers for one topic. Announcements go to every open server, so peers
 * find each other as long as they share any one server; a signal for a given peer goes through
 * one open server only (preferably the one that peer was heard on), since a duplicated offer or
 * answer would break the negotiation.
 */
export class SignalingPool {
  private readonly clients: readonly SignalingClient[]

  constructor(private readonly options: SignalingPoolOptions, events: SignalingClientEvents) {
    this.clients = [...new Set(options.urls)].map((url) => new SignalingClient({
      url,
      topics: [options.topic],
      WebSocket: options.WebSocket,
      clock: options.clock,
      random: options.random,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs })
    }, events))
  }

  /** Dials every server. */
  start(): void {
    for (const c of this.clients) c.start()
  }

  /** URLs of the servers whose sockets are open now. */
  openUrls(): string[] {
    return this.clients.filter((c) => c.isOpen).map((c) => c.url)
  }

  /** Publishes `data` on the topic through every open server; returns how many took it. */
  publishAll(data: unknown): number {
    let sent = 0
    for (const c of this.clients) if (c.send({ type: 'publish', topic: this.options.topic, data })) sent++
    return sent
  }

  /** Publishes `data` on the topic through `preferred` if it is open, else through the first open server. */
  publishOne(data: unknown, preferred: SignalingClient | undefined): boolean {
    const message = { type: 'publish', topic: this.options.topic, data } as const
    if (preferred?.send(message) === true) return true
    return this.clients.some((c) => c !== preferred && c.send(message))
  }

  /** Closes every server connection for good. */
  close(): void {
    for (const c of this.clients) c.close()
  }
}
