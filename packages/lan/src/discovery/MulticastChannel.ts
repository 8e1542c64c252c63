import { createSocket, type RemoteInfo } from 'node:dgram'
import type { Answer, Question } from 'dns-packet'
import makeMdns from 'multicast-dns'

/** Where an mDNS socket sends from and listens on. Every field is explicit: nothing defaults to "all interfaces". */
export interface MulticastEndpoint {
  /**
   * The local IPv4 address multicast goes out of (and the group is joined on), e.g.
   * `127.0.0.1` to stay on loopback. Without it multicast-dns would pick the network card.
   */
  readonly interface: string
  /** The address the UDP socket binds to; `0.0.0.0` is needed to receive group traffic on Linux. */
  readonly bind: string
  /** The UDP port (5353 for real mDNS; tests use a random high port shared by their peers). */
  readonly port: number
  /** The multicast group, normally `224.0.0.251`. */
  readonly group: string
  /** IP multicast TTL of what is sent. */
  readonly ttl: number
}

/** Counters of a {@link MulticastChannel}. */
export interface MulticastCounters {
  /** Packets handed to the socket. */
  packetsSent: number
  /** Packets that the socket reported failing to send (multicast-dns drops these silently). */
  sendErrors: number
  /** Packets received and decoded (including our own, looped back). */
  packetsReceived: number
  /** Warnings from multicast-dns (undecodable packets, failed group joins). */
  warnings: number
}

/** What a {@link MulticastChannel} reports. Handlers must not throw. */
export interface MulticastHandlers {
  /** A query arrived (ours included, looped back), with its known-answer section (RFC 6762 §7.1). */
  query(questions: readonly Question[], knownAnswers: readonly Answer[], from: RemoteInfo): void
  /** A response arrived: its answers and additional records together. */
  response(records: readonly Answer[], from: RemoteInfo): void
  /** Something went wrong; the channel keeps running unless `fatal`. */
  error(error: Error, fatal: boolean): void
}

/**
 * A multicast-dns socket that can only send out of `endpoint.interface`, with counted sends.
 *
 * multicast-dns sets the outgoing interface only when joining the group succeeds, and otherwise
 * sends out of the default route; its send errors vanish. So the socket is made here, pinned to
 * the interface before multicast-dns's own `listening` handler runs, and nothing is sent unless
 * pinning succeeded.
 */
export class MulticastChannel {
  /** Counters since creation. */
  readonly counters: MulticastCounters = { packetsSent: 0, sendErrors: 0, packetsReceived: 0, warnings: 0 }
  private readonly mdns: makeMdns.MulticastDNS
  private pinned = false
  private closed = false
  private readonly ready: Promise<void>

  constructor(readonly endpoint: MulticastEndpoint, private readonly handlers: MulticastHandlers) {
    if (endpoint.interface.length === 0) throw new TypeError('MulticastChannel: an interface address is required')
    const socket = createSocket({ type: 'udp4', reuseAddr: true })
    socket.on('listening', () => {
      try {
        socket.setMulticastInterface(endpoint.interface)
        this.pinned = true
      } catch (cause) {
        this.fail(new Error(`cannot send multicast from interface ${endpoint.interface} (is it an address of this machine?): ${String(cause)}`, { cause }))
      }
    })
    this.mdns = makeMdns({
      socket,
      interface: endpoint.interface,
      bind: endpoint.bind,
      port: endpoint.port,
      ip: endpoint.group,
      ttl: endpoint.ttl,
      multicast: true,
      loopback: true,
      reuseAddr: true
    })
    this.ready = new Promise<void>((resolve, reject) => {
      this.mdns.once('ready', () => (this.pinned ? resolve() : reject(new Error('multicast interface could not be set'))))
      this.mdns.once('error', reject)
    })
    // A rejection nobody awaits yet must not crash the process; `opened()` re-throws it.
    this.ready.catch(() => undefined)
    this.mdns.on('error', (error: Error) => this.fail(error))
    this.mdns.on('warning', (error: Error) => {
      this.counters.warnings++
      this.handlers.error(error, false)
    })
    this.mdns.on('query', (packet, rinfo) => {
      this.counters.packetsReceived++
      if (!this.closed) this.handlers.query(packet.questions ?? [], packet.answers ?? [], rinfo)
    })
    this.mdns.on('response', (packet, rinfo) => {
      this.counters.packetsReceived++
      if (!this.closed) this.handlers.response([...(packet.answers ?? []), ...(packet.additionals ?? [])], rinfo)
    })
  }

  /** Resolves once the socket is bound and pinned to the interface; rejects if it cannot be. */
  opened(): Promise<void> {
    return this.ready
  }

  /** Multicasts a response carrying `answers`; resolves when the socket is done with it (never rejects). */
  respond(answers: Answer[]): Promise<void> {
    return this.send((cb) => this.mdns.respond({ answers }, cb))
  }

  /** Multicasts a query listing `knownAnswers`; resolves when the socket is done with it (never rejects). */
  query(questions: Question[], knownAnswers: Answer[] = []): Promise<void> {
    return this.send((cb) => this.mdns.query({ questions, answers: knownAnswers }, cb))
  }

  /** Closes the socket. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closed = true
    return new Promise((resolve) => this.mdns.destroy(() => resolve()))
  }

  private send(op: (cb: (error: Error | null) => void) => void): Promise<void> {
    if (this.closed || !this.pinned) return Promise.resolve()
    this.counters.packetsSent++
    return new Promise((resolve) => {
      op((error) => {
        if (error) {
          this.counters.sendErrors++
          this.handlers.error(error, false)
        }
        resolve()
      })
    })
  }

  private fail(error: Error): void {
    this.pinned = false
    this.handlers.error(error, true)
    // Deferred: multicast-dns's own `listening` handler still has to run on a live socket.
    setImmediate(() => void this.close())
  }
}
