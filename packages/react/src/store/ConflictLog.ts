import type { Conflict, Connection } from '@sship/core'

const logs = new WeakMap<Connection, ConflictLog>()

/**
 * The last conflicts a connection reported (`Connection.onConflict`), newest last, as
 * subscribe/getSnapshot. One log per connection, recording from its creation on.
 */
export class ConflictLog {
  /** How many conflicts a log keeps. */
  static readonly LIMIT = 100
  private conflicts: readonly Conflict[] = []
  private readonly listeners = new Set<() => void>()

  private constructor(connection: Connection) {
    connection.onConflict((c) => {
      this.conflicts = [...this.conflicts, c].slice(-ConflictLog.LIMIT)
      for (const l of this.listeners) l()
    })
  }

  /** The log of `connection`, made (and recording) on first use. */
  static for(connection: Connection): ConflictLog {
    let log = logs.get(connection)
    if (log === undefined) logs.set(connection, (log = new ConflictLog(connection)))
    return log
  }

  /** The recorded conflicts; the same array until a new one arrives. */
  readonly getSnapshot = (): readonly Conflict[] => this.conflicts

  /** Calls `listener` after each new conflict; returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
