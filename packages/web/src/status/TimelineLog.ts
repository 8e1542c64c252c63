import type { Connection } from '@sship/core'

/** Kinds of timeline events (core's `ServerChange` values, and `lost`). */
export const TimelineKind = {
  /** The first server this screen saw. */
  Joined: 'joined',
  /** The first server this screen saw after starting from what it kept (a reload, a restart). */
  Resumed: 'resumed',
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

/**
 * The server changes this screen has seen, newest last (at most {@link TimelineLog.LIMIT}), from
 * the connection's events (`connection.onEvent`: `server-changed`, `server-lost`). Made once per
 * connection at start-up, so nothing is missed before a component mounts; subscribe/getSnapshot
 * for `useSyncExternalStore`.
 */
export class TimelineLog {
  /** How many events are kept. */
  static readonly LIMIT = 12
  private events: readonly TimelineEvent[] = []
  private readonly listeners = new Set<() => void>()
  private readonly off: () => void

  constructor(connection: Connection, private readonly now: () => number = Date.now) {
    this.off = connection.onEvent((e) => {
      if (e.type === 'server-changed') this.add({ kind: e.change, at: this.now(), from: e.from, to: e.to, epoch: e.epoch })
      else if (e.type === 'server-lost') this.add({ kind: TimelineKind.Lost, at: this.now(), from: e.server, to: null, epoch: e.epoch })
    })
  }

  /** The events (same array until one is added). */
  readonly getSnapshot = (): readonly TimelineEvent[] => this.events

  /** Calls `listener` after each new event; returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops listening to the connection. */
  dispose(): void {
    this.off()
  }

  private add(event: TimelineEvent): void {
    this.events = [...this.events, event].slice(-TimelineLog.LIMIT)
    for (const l of this.listeners) l()
  }
}
