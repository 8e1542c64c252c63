import type { CoordinatorSnapshot } from '@sship/core'

/** Kinds of timeline events. */
export const TimelineKind = {
  /** The first server this screen saw. */
  Joined: 'joined',
  /** The server became unreachable; a successor is being elected. */
  Lost: 'lost',
  /** A successor took over from a server that died. */
  Failover: 'failover',
  /** The initial host came back and took the role back. */
  Failback: 'failback',
  /** The role moved between live peers (any other handoff). */
  Handoff: 'handoff'
} as const
/** One of {@link TimelineKind}'s values. */
export type TimelineKind = (typeof TimelineKind)[keyof typeof TimelineKind]

/** One event of the timeline. */
export interface TimelineEvent {
  readonly kind: TimelineKind
  /** Wall-clock milliseconds. */
  readonly at: number
  readonly from: string | null
  readonly to: string | null
  readonly epoch: number
}

/** What the classifier remembers between snapshots. */
export interface ClassifierState {
  /** The last coordinator seen (null before any). */
  readonly last: string | null
  /** True if a failover was seen since the last coordinator change. */
  readonly sawFailover: boolean
}

/** The classifier's starting state. */
export const INITIAL_CLASSIFIER: ClassifierState = { last: null, sawFailover: false }

/**
 * Turns a change of coordinator snapshot into timeline events (pure). A new coordinator after a
 * failover (or whose predecessor is not alive any more) is a failover; the initial host taking
 * the role from a live peer is a failback; any other change is a handoff.
 */
export function classifyChange(state: ClassifierState, next: CoordinatorSnapshot, at: number): { state: ClassifierState; events: TimelineEvent[] } {
  const events: TimelineEvent[] = []
  let { last, sawFailover } = state
  if (next.failoverInProgress && !sawFailover && last !== null) {
    sawFailover = true
    events.push({ kind: TimelineKind.Lost, at, from: last, to: null, epoch: next.epoch })
  }
  const now = next.coordinator
  const alive = (id: string): boolean => next.alive.some((a) => a === id)
  if (now !== null && now !== last && !next.failoverInProgress) {
    const kind = last === null ? TimelineKind.Joined
      : now === next.initialHost && alive(last) && !sawFailover ? TimelineKind.Failback
        : sawFailover || !alive(last) ? TimelineKind.Failover : TimelineKind.Handoff
    events.push({ kind, at, from: last, to: now, epoch: next.epoch })
    last = now
    sawFailover = false
  } else if (now !== null && now === last && sawFailover && !next.failoverInProgress) {
    // The same server was heard again before anyone took over (a brief hiccup).
    sawFailover = false
  }
  return { state: { last, sawFailover }, events }
}
