import type { BackoffOptions, Clock, Random } from '@sship/core'
import { SignalingClient, type SignalingClientEvents } from './SignalingClient.js'
import type { SignalingSocketConstructor } from './SignalingSocket.js'

/** What a {@link SignalingPool} needs. */
export interface SignalingPoolOptions {
  /** The signaling servers to start with; all are kept connected, none is special. More come with {@link SignalingPool.add}. */
  readonly urls: readonly string[]
  /** The one topic (room) this pool subscribes and publishes on. */
  readonly topic: string
  readonly WebSocket: SignalingSocketConstructor
  readonly clock: Clock
  readonly random: Random
  readonly backoff?: Partial<BackoffOptions>
  readonly pingIntervalMs?: number
}

/**
 * A set of signaling servers for one topic. Announcements go to every open server, so peers
 * find each other as long as they share any one server; a signal for a given peer goes through
 * one open server only (preferably the one that peer was heard on), since a duplicated offer or
 * answer would break the negotiation.
 */
export class SignalingPool {
  private readonly clients = new Map<string, SignalingClient>()
  private started = false
  private closed = false

  constructor(private readonly options: SignalingPoolOptions, private readonly events: SignalingClientEvents) {
    for (const url of options.urls) this.add(url)
  }

  /** Dials every server (and, from now on, every added one at once). */
  start(): void {
    if (this.closed) return
    this.started = true
    for (const c of this.clients.values()) c.start()
  }

  /**
   * Adds a server (the caller has checked the URL); dials it at once if the pool is started.
   * Returns false if it was already there (or the pool is closed).
   */
  add(url: string): boolean {
    if (this.closed || this.clients.has(url)) return false
    const client = new SignalingClient({
      url,
      topics: [this.options.topic],
      WebSocket: this.options.WebSocket,
      clock: this.options.clock,
      random: this.options.random,
      ...(this.options.backoff === undefined ? {} : { backoff: this.options.backoff }),
      ...(this.options.pingIntervalMs === undefined ? {} : { pingIntervalMs: this.options.pingIntervalMs })
    }, this.events)
    this.clients.set(url, client)
    if (this.started) client.start()
    return true
  }

  /** Closes and forgets a server; returns its (now closed) client, or undefined if it was not there. */
  remove(url: string): SignalingClient | undefined {
    const client = this.clients.get(url)
    if (client === undefined) return undefined
    this.clients.delete(url)
    client.close()
    return client
  }

  /** URLs of every server in the pool, connected or not, in the order they were added. */
  urls(): string[] {
    return [...this.clients.keys()]
  }

  /** URLs of the servers whose sockets are open now. */
  openUrls(): string[] {
    return [...this.clients.values()].filter((c) => c.isOpen).map((c) => c.url)
  }

  /** Publishes `data` on the topic through every open server; returns how many took it. */
  publishAll(data: unknown): number {
    let sent = 0
    for (const c of this.clients.values()) if (c.send({ type: 'publish', topic: this.options.topic, data })) sent++
    return sent
  }

  /** Publishes `data` on the topic through `preferred` if it is open, else through the first open server. */
  publishOne(data: unknown, preferred: SignalingClient | undefined): boolean {
    const message = { type: 'publish', topic: this.options.topic, data } as const
    if (preferred?.send(message) === true) return true
    for (const c of this.clients.values()) if (c !== preferred && c.send(message)) return true
    return false
  }

  /** Closes every server connection for good; later {@link SignalingPool.add} calls do nothing. */
  close(): void {
    this.closed = true
    for (const c of this.clients.values()) c.close()
    this.clients.clear()
  }
}
