import { PROTOCOL_VERSION, systemClock, type Clock, type PeerId, type TimerHandle } from '@sship/core'
import type { DiscoveryStats, MdnsDiscoveryOptions } from './MdnsDiscoveryOptions.js'
import type { Answer, Question } from 'dns-packet'
import { MulticastChannel } from './MulticastChannel.js'
import { LostReason, type DirectoryEntry, type DirectoryListener, type LocalService, type PeerDirectory } from './PeerDirectory.js'
import { advertisementAddress } from './advertisementAddress.js'
import { AnswerLimiter } from './AnswerLimiter.js'
import { netmaskOf, undialable } from './dialPolicy.js'
import {
  SERVICE_TYPE, advertisementRecords, instanceName, isServiceQuestion, parseInstances, targetName, type Advertisement
} from './serviceRecords.js'

interface Listed {
  entry: DirectoryEntry
  instance: string
  expiresAt: number
}

const MIN_QUERY_GAP_MS = 100

/**
 * Finds the peers of one app on the local network with DNS-SD over multicast DNS, and advertises
 * the local peer (see {@link advertisementRecords} for the records). It announces on start (a few
 * times, with backoff), answers browse queries, browses periodically, drops records that are not
 * refreshed within their TTL and sends a goodbye (TTL 0) on {@link MdnsDiscovery.close}.
 *
 * `lost` is reported for a goodbye, an expired record, or {@link MdnsDiscovery.forget}; a peer
 * that merely misses a query is kept (the transport's socket is the better liveness signal).
 */
export class MdnsDiscovery implements PeerDirectory {
  private readonly clock: Clock
  private readonly listeners = new Set<DirectoryListener>()
  private readonly listed = new Map<PeerId, Listed>()
  private readonly timers = new Set<TimerHandle>()
  private readonly counts = { found: 0, lost: 0, refused: 0, lastError: undefined as string | undefined }
  private channel: MulticastChannel | undefined
  private advertisement: Advertisement | undefined
  private starting: Promise<void> | undefined
  private closing: Promise<void> | undefined
  private lastQueryAt = -Infinity
  private queryTimer: TimerHandle | undefined
  private readonly answers: AnswerLimiter
  private netmask: string | undefined

  constructor(private readonly options: MdnsDiscoveryOptions) {
    if (typeof options.interface !== 'string' || options.interface.length === 0) {
      throw new TypeError('MdnsDiscovery needs an explicit `interface` (e.g. 127.0.0.1 for loopback)')
    }
    this.clock = options.clock ?? systemClock
    this.answers = new AnswerLimiter(this.clock, options.answerIntervalMs ?? 1000, () => this.announce())
  }

  /** What this peer advertises, once started with a service. */
  get advertised(): Advertisement | undefined {
    return this.advertisement
  }

  /** Counters: packets, send errors, warnings, found/lost events. */
  stats(): DiscoveryStats {
    const c = this.channel?.counters ?? { packetsSent: 0, sendErrors: 0, packetsReceived: 0, warnings: 0 }
    return { ...c, ...this.counts }
  }

  /** Opens the socket, announces `self` (if given) and starts browsing. Rejects if the socket cannot be opened. */
  start(self: LocalService | undefined): Promise<void> {
    this.starting ??= this.open(self)
    return this.starting
  }

  /** Listens for found/lost; returns the unsubscribe function. */
  subscribe(listener: DirectoryListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The current entry of `peer`, if listed. */
  lookup(peer: PeerId): DirectoryEntry | undefined {
    return this.listed.get(peer)?.entry
  }

  /** Every listed peer. */
  entries(): readonly DirectoryEntry[] {
    return [...this.listed.values()].map((l) => l.entry)
  }

  /** Drops `peer` (reporting `lost`, reason `forgotten`) and browses again soon. */
  forget(peer: PeerId): void {
    if (this.listed.delete(peer)) this.emitLost(peer, LostReason.Forgotten)
    this.queryNow()
  }

  /** Sends a browse query now (or as soon as the rate limit allows). */
  queryNow(): void {
    if (this.channel === undefined || this.closing !== undefined) return
    const wait = this.lastQueryAt + MIN_QUERY_GAP_MS - this.clock.now()
    if (wait > 0) {
      this.schedulePeriodicQuery(wait)
      return
    }
    this.lastQueryAt = this.clock.now()
    const question: Question = { name: SERVICE_TYPE, type: 'PTR' }
    void this.channel.query([question])
    this.expire()
    this.schedulePeriodicQuery(this.options.queryIntervalMs ?? 10_000)
  }

  /** Sends a goodbye for our records, stops every timer and closes the socket. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async open(self: LocalService | undefined): Promise<void> {
    const o = this.options
    const channel = new MulticastChannel(
      { interface: o.interface, bind: o.bind ?? '0.0.0.0', port: o.port ?? 5353, group: o.group ?? '224.0.0.251', ttl: 255 },
      {
        query: (questions) => this.onQuery(questions),
        response: (records) => this.onResponse(records),
        error: (error) => this.reportError(error)
      }
    )
    this.channel = channel
    await channel.opened()
    if (this.closing !== undefined) return
    if (self !== undefined) {
      this.advertisement = {
        app: o.app, peerId: o.peerId, version: PROTOCOL_VERSION, port: self.port,
        address: o.address ?? advertisementAddress(self.host, o.interface)
      }
      for (const delay of o.announceDelaysMs ?? [0, 1000, 2000]) this.after(delay, () => this.announce())
    }
    this.queryNow()
  }

  private announce(): void {
    const ad = this.advertisement
    if (ad !== undefined && this.closing === undefined) void this.channel?.respond(advertisementRecords(ad, this.ttl()))
  }

  private onQuery(questions: readonly Question[]): void {
    const ad = this.advertisement
    if (ad === undefined || this.closing !== undefined) return
    const mine = new Set([instanceName(ad.peerId), targetName(ad.peerId)].map((n) => n.toLowerCase()))
    const asked = questions.some((q) => isServiceQuestion(q.name, q.type) || mine.has(q.name.toLowerCase()))
    if (asked) this.answers.request()
  }

  private onResponse(records: readonly Answer[]): void {
    const now = this.clock.now()
    for (const p of parseInstances(records)) {
      const peerId = p.peerId ?? this.peerOfInstance(p.instance)
      if (peerId === undefined || peerId === this.options.peerId) continue
      if (p.ttl === 0) {
        if (this.listed.delete(peerId)) this.emitLost(peerId, LostReason.Goodbye)
        continue
      }
      if (p.app !== this.options.app || p.host === undefined || p.port === undefined) continue
      const before = this.listed.get(peerId)
      if (!this.admissible(p.host, p.port, before === undefined)) continue
      const entry: DirectoryEntry = { peerId, host: p.host, port: p.port }
      this.listed.set(peerId, { entry, instance: p.instance, expiresAt: now + p.ttl * 1000 })
      if (before === undefined || before.entry.host !== entry.host || before.entry.port !== entry.port) {
        this.counts.found++
        for (const l of this.listeners) l.found(entry)
      }
    }
  }

  /** Records anyone can forge: only dialable addresses (see {@link undialable}), and a bounded number of peers. */
  private admissible(host: string, port: number, isNew: boolean): boolean {
    // The netmask is looked up once: a flood of records must not cost a getifaddrs each.
    this.netmask ??= netmaskOf(this.options.interface) ?? '255.255.255.0'
    const why = undialable(host, port, { interface: this.options.interface, netmask: this.netmask, allowLowPorts: this.options.allowLowPorts === true })
    if (why === undefined && (!isNew || this.listed.size < (this.options.maxPeers ?? 256))) return true
    this.counts.refused++
    return false
  }

  private peerOfInstance(instance: string): PeerId | undefined {
    for (const [peer, l] of this.listed) if (l.instance === instance) return peer
    return undefined
  }

  private expire(): void {
    const now = this.clock.now()
    for (const [peer, l] of [...this.listed]) {
      if (l.expiresAt <= now) {
        this.listed.delete(peer)
        this.emitLost(peer, LostReason.Expired)
      }
    }
  }

  private emitLost(peer: PeerId, reason: LostReason): void {
    this.counts.lost++
    for (const l of this.listeners) l.lost(peer, reason)
  }

  private async shutdown(): Promise<void> {
    this.answers.stop()
    if (this.queryTimer !== undefined) this.clock.clearTimeout(this.queryTimer)
    for (const t of this.timers) this.clock.clearTimeout(t)
    this.timers.clear()
    this.listeners.clear()
    const channel = this.channel
    if (channel === undefined) return
    try {
      await this.starting
    } catch {
      // A channel that never opened has nothing to say goodbye on.
    }
    if (this.advertisement !== undefined) {
      // Bounded: a goodbye that cannot be sent within a moment is not worth holding the close for.
      await Promise.race([channel.respond(advertisementRecords(this.advertisement, 0)), this.delay(500)])
    }
    await Promise.race([channel.close(), this.delay(1000)])
  }

  private ttl(): number {
    return this.options.ttlSeconds ?? 120
  }

  private schedulePeriodicQuery(ms: number): void {
    if (this.queryTimer !== undefined) this.clock.clearTimeout(this.queryTimer)
    this.queryTimer = this.clock.setTimeout(() => {
      this.queryTimer = undefined
      this.queryNow()
    }, ms)
  }

  private after(ms: number, fn: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle)
      fn()
    }, ms)
    this.timers.add(handle)
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve))
  }

  private reportError(error: Error): void {
    this.counts.lastError = error.message
    try {
      this.options.onError?.(error)
    } catch {
      // An error callback must not take discovery down.
    }
  }
}
