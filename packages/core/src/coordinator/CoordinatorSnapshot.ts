import type { Epoch, PeerId } from '../ids/ids.js'
import type { TermRef } from '../protocol/coordinatorMessages.js'
import type { AppDoc } from './AppDoc.js'
import { Role } from './Role.js'

/**
 * What a UI or a test needs to know about the role, as one immutable value. A new object is
 * made only when something in it changed, so it can feed `useSyncExternalStore` directly.
 */
export interface CoordinatorSnapshot {
  /** This peer's GUID. */
  readonly self: PeerId
  /** This peer's role. */
  readonly role: Role
  /** The coordinator this peer follows (or is), or null while there is none. */
  readonly coordinator: PeerId | null
  /** The epoch of the coordinator's term (0 before the first term). */
  readonly epoch: Epoch
  /** True while this peer is the server. */
  readonly isServer: boolean
  /** True while the coordinator is suspected dead and no successor has been heard from yet. */
  readonly failoverInProgress: boolean
  /** The successorship list: eligible peers in order. */
  readonly successors: readonly PeerId[]
  /** Peers the coordinator last reported alive (including itself). */
  readonly alive: readonly PeerId[]
  /** The initial host's GUID, once known. */
  readonly initialHost: PeerId | null
  /**
   * The adaptive failure detector's current timeout, rounded to 10 ms: the silence after which
   * this peer would suspect its coordinator (for the coordinator: the longest after which it
   * counts a follower gone). The floor `timing.suspectMs` on a clean link, more on a jittery one
   * or while this peer's own timers run late.
   */
  readonly suspectTimeoutMs: number
  /**
   * True while this peer leads but hears none of the peers it last saw alive: it holds requests
   * undecided (nothing is acknowledged) until it hears one of them again, so a coordinator cut
   * off from the room does not hand out what the room hands out too.
   */
  readonly isolated: boolean
  /** True while the app told this peer its page is hidden or frozen (see `Server.setHidden`). */
  readonly hidden: boolean
}

/** True if two snapshots hold the same values. */
export function sameSnapshot(a: CoordinatorSnapshot, b: CoordinatorSnapshot): boolean {
  return a.self === b.self && a.role === b.role && a.coordinator === b.coordinator && a.epoch === b.epoch &&
    a.isServer === b.isServer && a.failoverInProgress === b.failoverInProgress && a.initialHost === b.initialHost &&
    a.suspectTimeoutMs === b.suspectTimeoutMs && a.isolated === b.isolated && a.hidden === b.hidden &&
    sameList(a.successors, b.successors) && sameList(a.alive, b.alive)
}

function sameList(a: readonly PeerId[], b: readonly PeerId[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** What {@link buildSnapshot} reads from the coordinator. */
export interface SnapshotInput {
  readonly self: PeerId
  readonly role: Role
  readonly following: TermRef | null
  readonly handoffTo: PeerId | null
  readonly epoch: Epoch
  /** True once any term exists (so a missing coordinator means a failover is under way). */
  readonly hasTerms: boolean
  readonly app: AppDoc
  readonly view: readonly PeerId[]
  readonly suspectTimeoutMs: number
  readonly isolated: boolean
  readonly hidden: boolean
}

/** Derives the public snapshot from the coordinator's state. */
export function buildSnapshot(s: SnapshotInput): CoordinatorSnapshot {
  const leading = s.role === Role.Leader
  const coordinator = s.role === Role.HandingOff ? s.handoffTo
    : leading ? s.self : s.role === Role.Follower ? (s.following?.leader ?? null) : null
  return {
    self: s.self,
    role: s.role,
    coordinator,
    epoch: s.epoch,
    isServer: leading,
    failoverInProgress: !leading && s.following === null && s.hasTerms,
    successors: s.app.members(),
    alive: s.view,
    initialHost: s.app.initialHost() ?? null,
    suspectTimeoutMs: Math.round(s.suspectTimeoutMs / 10) * 10,
    isolated: s.isolated,
    hidden: s.hidden
  }
}
