import type { Clock, PeerId, Random } from '@sship/core'
import { PROTOCOL_VERSION, cryptoRandom, systemClock, type TimerHandle } from '@sship/core/internals'
import type { DiscoveryStats, MdnsDiscoveryOptions } from './MdnsDiscoveryOptions.js'
import type { Answer, Question } from 'dns-packet'
import { AnswerAggregator } from './AnswerAggregator.js'
import { MulticastChannel } from './MulticastChannel.js'
import { QueryBackoff } from './QueryBackoff.js'
import { RecordCache } from './RecordCache.js'
import { coversOurQuery, listedInstances, suppressedByKnownAnswers } from './knownAnswers.js'
import { LostReason, type DirectoryEntry, type DirectoryListener, type LocalService, type PeerDirectory } from './PeerDirectory.js'
import { advertisementAddress } from './advertisementAddress.js'
import { netmaskOf, undialable } from './dialPolicy.js'
import {
  SERVICE_TYPE, advertisementRecords, instanceName, isServiceQuestion, parseInstances, targetName, type Advertisement
} from './serviceRecords.js'

const MIN_QUERY_GAP_MS = 100
/** A query heard this soon after our own is taken for our own, looped back. */
const OWN_ECHO_MS = 250

/**
 * Finds the peers of one app on the local network with DNS-SD over multicast DNS, and advertises
 * the local peer (see {@link advertisementRecords} for the records). It announces on start (a few
 * times, with backoff), answers browse queries, browses, drops records that are not refreshed
 * within their TTL and sends a goodbye (TTL 0) on {@link MdnsDiscovery.close}.
 *
 * Traffic stays linear in the number of peers (RFC 6762, strategy `rfc6762`, the default): browse
 * queries back off from 1 s to `queryIntervalMs` (1 h) and list the answers already known, so
 * peers already known stay silent (§7.1); a query another peer just sent with no answer we lack
 * counts as ours (§7.3); answers wait 20–120 ms, go out at most once a second and once for all
 * the queries meanwhile (§6); a cached record is asked for again at 80–95 % of its TTL (§5.2),
 * and the first peer to ask refreshes every cache. Strategy `periodic` is the behaviour before
 * (query every `queryIntervalMs`, answer every query), kept to measure the difference.
 *
 * `lost` is reported for a goodbye, an expired record, or {@link MdnsDiscovery.forget}; a peer
 * that merely misses a query is kept (the transport's socket is the better liveness signal).
 */
export class MdnsDiscovery implements PeerDirectory {
  private readonly clock: Clock
  private readonly listeners = new Set<DirectoryListener>()
  private readonly listed = new RecordCache((instance) => this.jitter(instance))
  private readonly timers = new Set<TimerHandle>()
  private readonly counts = { found: 0, lost: 0, refused: 0, lastError: undefined as string | undefined }
  private channel: MulticastChannel | undefined
  private advertisement: Advertisement | undefined
  private starting: Promise<void> | undefined
  private closing: Promise<void> | undefined
  private lastQueryAt = -Infinity
  private queryTimer: TimerHandle | undefined
  /** When the backoff series sends its next query. */
  private nextSeriesAt = Infinity
  private readonly periodic: boolean
  private readonly backoff: QueryBackoff
  private readonly answers: AnswerAggregator
  private netmask: string | undefined

  constructor(private readonly options: MdnsDiscoveryOptions) {
    if (typeof options.interface !== 'string' || options.interface.length === 0) {
      throw new TypeError('MdnsDiscovery needs an explicit `interface` (e.g. 127.0.0.1 for loopback)')
    }
    this.clock = options.clock ?? systemClock
    const random: Random = options.random ?? cryptoRandom
    this.periodic = options.strategy === 'periodic'
    this.backoff = new QueryBackoff(random, { maxIntervalMs: options.queryIntervalMs ?? 3_600_000 })
    this.answers = new AnswerAggregator(this.clock, random, () => this.announce())
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
    return this.listed.lookup(peer)
  }

  /** Every listed peer. */
  entries(): readonly DirectoryEntry[] {
    return this.listed.entries()
  }

  /**
   * Drops `peer` (reporting `lost`, reason `forgotten`) and browses again soon: after 20–120 ms,
   * so that of the peers that forgot the same peer at once, one query serves all (§7.3).
   */
  forget(peer: PeerId): void {
    if (this.listed.delete(peer)) this.emitLost(peer, LostReason.Forgotten)
    if (this.periodic) this.queryNow()
    else this.scheduleWake(this.backoff.initialDelayMs())
  }

  /** Sends a browse query now (or as soon as the rate limit allows). */
  queryNow(): void {
    if (this.channel === undefined || this.closing !== undefined) return
    const wait = this.lastQueryAt + MIN_QUERY_GAP_MS - this.clock.now()
    if (wait > 0) {
      this.scheduleWake(wait)
      return
    }
    this.sendQuery()
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
        query: (questions, knownAnswers) => this.onQuery(questions, knownAnswers),
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
    if (this.periodic) this.queryNow()
    else this.scheduleWake(this.backoff.initialDelayMs())
  }

  private announce(): void {
    const ad = this.advertisement
    if (ad === undefined || this.closing !== undefined) return
    this.answers.sent()
    void this.channel?.respond(advertisementRecords(ad, this.ttl()))
  }

  private sendQuery(): void {
    const now = this.clock.now()
    this.lastQueryAt = now
    const question: Question = { name: SERVICE_TYPE, type: 'PTR' }
    void this.channel?.query([question], this.periodic ? [] : this.listed.knownAnswers(now))
    this.countAsQueried(now, undefined)
  }

  /** A query went out (ours, or another's that covers ours): advance the series and the refresh steps. */
  private countAsQueried(now: number, listedByThem: ReadonlySet<string> | undefined): void {
    if (this.periodic) {
      this.expire()
      this.scheduleWake(this.options.queryIntervalMs ?? 10_000)
      return
    }
    this.nextSeriesAt = now + this.backoff.next()
    this.listed.queried(now, listedByThem)
    this.scheduleWake(undefined)
  }

  private onQuery(questions: readonly Question[], knownAnswers: readonly Answer[]): void {
    if (this.closing !== undefined) return
    const browse = questions.some((q) => isServiceQuestion(q.name, q.type))
    const now = this.clock.now()
    if (browse && !this.periodic && now - this.lastQueryAt > OWN_ECHO_MS) {
      if (coversOurQuery(knownAnswers, this.listed.knownAnswers(now))) {
        this.lastQueryAt = now
        this.countAsQueried(now, listedInstances(knownAnswers))
      }
    }
    const ad = this.advertisement
    if (ad === undefined) return
    const mine = new Set([instanceName(ad.peerId), targetName(ad.peerId)].map((n) => n.toLowerCase()))
    const named = questions.some((q) => mine.has(q.name.toLowerCase()))
    if (!browse && !named) return
    if (this.periodic) {
      void this.channel?.respond(advertisementRecords(ad, this.ttl()))
      return
    }
    if (!named && suppressedByKnownAnswers(knownAnswers, instanceName(ad.peerId), this.ttl())) return
    this.answers.request()
  }

  private onResponse(records: readonly Answer[]): void {
    const now = this.clock.now()
    for (const p of parseInstances(records)) {
      const peerId = p.peerId ?? this.listed.peerOfInstance(p.instance)
      if (peerId === undefined || peerId === this.options.peerId) continue
      if (p.ttl === 0) {
        if (this.listed.delete(peerId)) this.emitLost(peerId, LostReason.Goodbye)
        continue
      }
      if (p.app !== this.options.app || p.host === undefined || p.port === undefined) continue
      const before = this.listed.lookup(peerId)
      if (!this.admissible(p.host, p.port, before === undefined)) continue
      const entry: DirectoryEntry = { peerId, host: p.host, port: p.port }
      if (this.listed.put(entry, p.instance, p.ttl, now)) {
        this.counts.found++
        for (const l of this.listeners) l.found(entry)
      }
    }
    // Refreshed records move their refresh steps later.
    if (!this.periodic) this.scheduleWake(undefined)
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

  private expire(): void {
    for (const peer of this.listed.expire(this.clock.now())) this.emitLost(peer, LostReason.Expired)
  }

  private emitLost(peer: PeerId, reason: LostReason): void {
    this.counts.lost++
    for (const l of this.listeners) l.lost(peer, reason)
  }

  /** A per-peer spread in [0, 1) of the refresh time, so caches that heard the same answer do not ask in the same instant. */
  private jitter(instance: string): number {
    let h = 0x811c9dc5
    const s = `${this.options.peerId}/${instance}`
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
    return h / 0x1_0000_0000
  }

  private async shutdown(): Promise<void> {
    this.answers.cancel()
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

  /**
   * Sets the one wake-up timer: at the next of the series query (due in `ms` if given), a
   * record's refresh step and a record's expiry.
   */
  private scheduleWake(ms: number | undefined): void {
    if (this.closing !== undefined) return
    const now = this.clock.now()
    if (ms !== undefined) this.nextSeriesAt = Math.min(this.nextSeriesAt, now + ms)
    // Periodic browsing wakes only to query (expiry is checked then, as before).
    const at = this.periodic ? now + (ms ?? 0) : Math.min(this.nextSeriesAt, this.listed.nextDeadline())
    if (this.queryTimer !== undefined) this.clock.clearTimeout(this.queryTimer)
    if (!Number.isFinite(at)) return
    this.queryTimer = this.clock.setTimeout(() => {
      this.queryTimer = undefined
      this.wake()
    }, Math.max(0, at - now))
  }

  private wake(): void {
    if (this.periodic) {
      this.queryNow()
      return
    }
    this.expire()
    const now = this.clock.now()
    if (this.nextSeriesAt <= now || this.listed.refreshDue(now)) this.queryNow()
    else this.scheduleWake(undefined)
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
