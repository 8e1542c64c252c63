import type { Answer } from 'dns-packet'
import type { PeerId } from '@sship/core'
import type { DirectoryEntry } from './PeerDirectory.js'
import { knownAnswerSection } from './knownAnswers.js'

interface Cached {
  entry: DirectoryEntry
  instance: string
  receivedAt: number
  ttlSeconds: number
  expiresAt: number
  /** When to ask for this record again if nobody refreshed it: 80 %, then 85 %, 90 %, 95 % of its TTL (RFC 6762 §5.2). */
  refreshAt: number
}

/**
 * The peers a {@link MdnsDiscovery} has heard of, with when each record expires and when to ask
 * for it again. Pure bookkeeping over clock readings: no timers, no sockets.
 */
export class RecordCache {
  private readonly cached = new Map<PeerId, Cached>()

  /** `spread(instance)` in [0, 1) staggers refresh times so caches that heard one answer do not all ask at once. */
  constructor(private readonly spread: (instance: string) => number) {}

  /** Stores a record heard at `now`; true if the peer is new or moved to another address. */
  put(entry: DirectoryEntry, instance: string, ttlSeconds: number, now: number): boolean {
    const before = this.cached.get(entry.peerId)
    const ms = ttlSeconds * 1000
    this.cached.set(entry.peerId, {
      entry, instance, receivedAt: now, ttlSeconds, expiresAt: now + ms, refreshAt: now + ms * (0.8 + 0.02 * this.spread(instance))
    })
    return before === undefined || before.entry.host !== entry.host || before.entry.port !== entry.port
  }

  /** Drops `peer`; true if it was cached. */
  delete(peer: PeerId): boolean {
    return this.cached.delete(peer)
  }

  /** How many peers are cached. */
  get size(): number {
    return this.cached.size
  }

  lookup(peer: PeerId): DirectoryEntry | undefined {
    return this.cached.get(peer)?.entry
  }

  entries(): DirectoryEntry[] {
    return [...this.cached.values()].map((c) => c.entry)
  }

  /** The peer whose instance name is `instance` (a goodbye may carry no TXT id). */
  peerOfInstance(instance: string): PeerId | undefined {
    for (const [peer, c] of this.cached) if (c.instance === instance) return peer
    return undefined
  }

  /** Removes and returns the peers whose records expired by `now`. */
  expire(now: number): PeerId[] {
    const out: PeerId[] = []
    for (const [peer, c] of this.cached) if (c.expiresAt <= now) out.push(peer)
    for (const peer of out) this.cached.delete(peer)
    return out
  }

  /** True if some record is due to be asked for again. */
  refreshDue(now: number): boolean {
    for (const c of this.cached.values()) if (c.refreshAt <= now) return true
    return false
  }

  /** The earliest refresh step or expiry, or Infinity. */
  nextDeadline(): number {
    let at = Infinity
    for (const c of this.cached.values()) at = Math.min(at, c.refreshAt, c.expiresAt)
    return at
  }

  /**
   * A browse query went out at `now` that did not list these records as known (`listed`: the
   * instances it did list; undefined: our own query, built from this cache). Their owners will
   * answer it; if they do not, ask again at the next 5 % step.
   */
  queried(now: number, listed: ReadonlySet<string> | undefined): void {
    for (const c of this.cached.values()) {
      if (c.refreshAt <= now + 1000 && listed?.has(c.instance) !== true) c.refreshAt = Math.min(c.expiresAt, now + c.ttlSeconds * 50)
    }
  }

  /** The known-answer section of a query sent at `now`. */
  knownAnswers(now: number): Answer[] {
    return knownAnswerSection(this.cached.values(), now)
  }
}
