import { Backoff, type BackoffOptions, type Clock, type PeerId, type Random, type TimerHandle } from '@sship/core'
import type { DirectoryEntry } from '../discovery/PeerDirectory.js'
import { CloseCode, isPermanentRejection } from './CloseCode.js'
import { formatHostPort, type HostPort } from './peerAddress.js'

/** Somewhere to dial: a static address, or a peer found by discovery. */
export interface DialTarget {
  /** `static:<host:port>` or `peer:<GUID>`. */
  readonly key: string
  readonly kind: 'static' | 'discovered'
  /** Where to dial (the latest record for a discovered peer). */
  address: HostPort
  /** The peer behind it: known up front for discovered peers, after the first handshake for static ones. */
  peer: PeerId | undefined
}

/** What the {@link Dialer} needs from its transport. */
export interface DialerHost {
  readonly self: PeerId
  readonly clock: Clock
  readonly random: Random
  /** True if `peer` has a current link. */
  isLinked(peer: PeerId): boolean
  /** Opens a link to `target`; must later call {@link Dialer.dialEnded} exactly once. */
  dial(target: DialTarget): void
  /** Tells discovery that `peer` is gone (it keeps failing). */
  forget(peer: PeerId): void
}

/** Tuning of a {@link Dialer}. */
export interface DialerOptions {
  readonly backoff: BackoffOptions
  /** Failed dials in a row after which a discovered peer is forgotten. */
  readonly maxDialFailures: number
  /** How long the larger GUID waits for the smaller one to dial before dialing itself. */
  readonly fallbackDialMs: number
  /** Most dials in flight at once; further targets wait their turn (forged discovery records cannot make a peer dial thousands of addresses at once). Default 16. */
  readonly maxPendingDials?: number
}

/** How a dial ended, for {@link Dialer.dialEnded}. */
export interface DialOutcome {
  /** True if the link completed its handshake at some point. */
  readonly handshook: boolean
  /** The WebSocket close code (1006 for a refused or broken connection). */
  readonly code: number
  /** The peer the hello named, if one arrived. */
  readonly peer: PeerId | undefined
}

interface TargetState extends DialTarget {
  readonly backoff: Backoff
  failures: number
  timer: TimerHandle | undefined
  dialing: boolean
  /** Why this target is not dialed until its address changes. */
  blocked: string | undefined
  /** The larger GUID's wait for the smaller one is over. */
  fallbackDue: boolean
}

/**
 * Decides when to dial whom: static addresses always, discovered peers only from the smaller
 * GUID (the larger dials too after `fallbackDialMs` without a link, in case discovery is
 * one-sided). Failed or broken links are redialed with jittered exponential backoff while the
 * target is listed; a discovered peer that keeps failing is handed back to discovery as gone.
 */
export class Dialer {
  private readonly targets = new Map<string, TargetState>()
  private running = false
  /** Keys of targets with a dial in flight (kept apart from the targets: a target may be dropped mid-dial). */
  private readonly inFlight = new Set<string>()

  constructor(private readonly host: DialerHost, private readonly options: DialerOptions) {}

  /** Starts dialing every known target. */
  start(): void {
    this.running = true
    for (const t of this.targets.values()) this.ensure(t)
  }

  /** Stops every timer; no dial starts after this. */
  stop(): void {
    this.running = false
    for (const t of this.targets.values()) this.clearTimer(t)
  }

  /** Adds a static address (no effect if already known). */
  addStatic(address: HostPort): void {
    const key = `static:${formatHostPort(address)}`
    if (this.targets.has(key)) return
    const t = this.create(key, 'static', address, undefined)
    this.ensure(t)
  }

  /** Discovery found `entry` (new, or at a new address). */
  found(entry: DirectoryEntry): void {
    if (entry.peerId === this.host.self) return
    const key = `peer:${entry.peerId}`
    const address = { host: entry.host, port: entry.port }
    let t = this.targets.get(key)
    if (t === undefined) t = this.create(key, 'discovered', address, entry.peerId)
    else if (t.address.host !== address.host || t.address.port !== address.port) {
      t.address = address
      t.blocked = undefined
      t.failures = 0
      t.backoff.reset()
      this.clearTimer(t)
    }
    this.ensure(t)
  }

  /** Discovery no longer lists `peer`: stop redialing it (an open link stays). */
  lost(peer: PeerId): void {
    const t = this.targets.get(`peer:${peer}`)
    if (t === undefined) return
    this.clearTimer(t)
    this.targets.delete(t.key)
  }

  /** A link to `peer` became current: nothing to dial for it. */
  peerUp(peer: PeerId): void {
    for (const t of this.of(peer)) {
      this.clearTimer(t)
      t.failures = 0
      t.backoff.reset()
    }
  }

  /** `peer`'s current link closed: redial its targets after a backoff. */
  peerDown(peer: PeerId): void {
    for (const t of this.of(peer)) {
      t.fallbackDue = false
      this.retryLater(t)
    }
  }

  /** The outbound link of `key` closed (whether or not it ever completed its handshake). */
  dialEnded(key: string, outcome: DialOutcome): void {
    this.inFlight.delete(key)
    const t = this.targets.get(key)
    if (t === undefined) return
    t.dialing = false
    if (outcome.peer !== undefined && t.kind === 'static') t.peer = outcome.peer
    if (isPermanentRejection(outcome.code)) {
      t.blocked = `closed with code ${outcome.code}`
      return
    }
    if (outcome.handshook) {
      t.failures = 0
      t.backoff.reset()
    } else if (outcome.code !== CloseCode.Duplicate) {
      t.failures++
      if (t.kind === 'discovered' && t.peer !== undefined && t.failures >= this.options.maxDialFailures) {
        this.targets.delete(t.key)
        this.host.forget(t.peer)
        return
      }
    }
    this.retryLater(t)
  }

  private create(key: string, kind: 'static' | 'discovered', address: HostPort, peer: PeerId | undefined): TargetState {
    const t: TargetState = {
      key, kind, address, peer, backoff: new Backoff(this.host.random, this.options.backoff),
      failures: 0, timer: undefined, dialing: false, blocked: undefined, fallbackDue: false
    }
    this.targets.set(key, t)
    return t
  }

  private of(peer: PeerId): TargetState[] {
    return [...this.targets.values()].filter((t) => t.peer === peer)
  }

  private ensure(t: TargetState): void {
    if (!this.running || t.blocked !== undefined || t.dialing || t.timer !== undefined) return
    if (t.peer !== undefined && this.host.isLinked(t.peer)) return
    if (t.kind === 'discovered' && t.peer !== undefined && this.host.self > t.peer && !t.fallbackDue) {
      this.setTimer(t, this.options.fallbackDialMs, () => {
        t.fallbackDue = true
      })
      return
    }
    if (this.inFlight.size >= (this.options.maxPendingDials ?? 16)) {
      this.setTimer(t, 100 + this.host.random.next() * 400, () => undefined)
      return
    }
    this.inFlight.add(t.key)
    t.dialing = true
    this.host.dial(t)
  }

  private retryLater(t: TargetState): void {
    if (!this.running || t.blocked !== undefined || t.dialing) return
    this.clearTimer(t)
    this.setTimer(t, t.backoff.next(), () => undefined)
  }

  private setTimer(t: TargetState, ms: number, before: () => void): void {
    t.timer = this.host.clock.setTimeout(() => {
      t.timer = undefined
      before()
      if (this.targets.get(t.key) === t) this.ensure(t)
    }, ms)
  }

  private clearTimer(t: TargetState): void {
    if (t.timer !== undefined) this.host.clock.clearTimeout(t.timer)
    t.timer = undefined
  }
}
