import type { Connection } from '@sship/core'
import { replaceEqualDeep } from './replaceEqualDeep.js'

/** A JSON view of the app's shared data (`Connection.data`), as returned by `Y.Map.toJSON`. */
export type SharedData = Readonly<Record<string, unknown>>

/** The app's shared data map (a `Y.Map`), named through core so this package needs no direct yjs import. */
type SharedMap = Connection['data']

const stores = new WeakMap<SharedMap, SharedDataStore>()

/**
 * The shared data (a `Y.Map`) as subscribe/getSnapshot: `toJSON()` is taken once per change
 * (`observeDeep`, so nested Y types count) and parts that did not change keep their identity.
 * One store per map, observing for as long as the map lives.
 */
export class SharedDataStore {
  private snapshot: SharedData | null = null
  private readonly listeners = new Set<() => void>()

  private constructor(private readonly map: SharedMap) {
    // Observe from the start, not from the first subscriber: React reads the snapshot during
    // render, before it subscribes, and a cache nobody invalidates would go stale.
    map.observeDeep(() => {
      if (this.snapshot === null) return
      const next = replaceEqualDeep(this.snapshot, this.map.toJSON() as SharedData)
      if (next === this.snapshot) return
      this.snapshot = next
      for (const l of this.listeners) l()
    })
  }

  /** The store of `map`, made on first use. */
  static for(map: SharedMap): SharedDataStore {
    let store = stores.get(map)
    if (store === undefined) stores.set(map, (store = new SharedDataStore(map)))
    return store
  }

  /** The data as JSON; the same object until the data changes. */
  readonly getSnapshot = (): SharedData => {
    this.snapshot ??= this.map.toJSON() as SharedData
    return this.snapshot
  }

  /** Calls `listener` after each change; returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
