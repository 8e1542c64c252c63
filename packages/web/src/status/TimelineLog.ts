import type { Connection } from '@sship/core'
import { classifyChange, INITIAL_CLASSIFIER, type ClassifierState, type TimelineEvent } from './classifyChange.js'

/**
 * The failovers and failbacks this screen has seen, newest last (at most {@link TimelineLog.LIMIT}),
 * from the connection's snapshot changes. Made once per connection at start-up, so nothing is
 * missed before a component mounts; subscribe/getSnapshot for `useSyncExternalStore`.
 */
export class TimelineLog {
  /** How many events are kept. */
  static readonly LIMIT = 12
  private events: readonly TimelineEvent[] = []
  private state: ClassifierState = INITIAL_CLASSIFIER
  private readonly listeners = new Set<() => void>()
  private readonly off: () => void

  constructor(connection: Connection, private readonly now: () => number = Date.now) {
    const update = (): void => this.observe(connection)
    this.off = connection.subscribe(update)
    update()
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

  private observe(connection: Connection): void {
    const { state, events } = classifyChange(this.state, connection.getSnapshot(), this.now())
    this.state = state
    if (events.length === 0) return
    this.events = [...this.events, ...events].slice(-TimelineLog.LIMIT)
    for (const l of this.listeners) l()
  }
}
