import { useCallback } from 'react'
import { useSshipContext } from '../provider/useSshipContext.js'
import { SharedDataStore, type SharedData } from '../store/SharedDataStore.js'
import { useSyncExternalStoreWithSelector } from 'use-sync-external-store/with-selector'

/** The whole shared data (`connection.data`, a `Y.Map`) as JSON; re-renders on every change. */
export function useSharedData(): SharedData
/**
 * One entry of the shared data, as JSON (nested Y types become arrays and objects). Re-renders
 * only when that entry changes: parts that did not change keep their identity. `T` is an
 * assertion about what the app stored there; the value is not checked.
 *
 * @example
 * ```tsx
 * const queue = useSharedData<string[]>('queue') ?? []
 * ```
 */
export function useSharedData<T = unknown>(key: string): T | undefined
/**
 * The app's commutative shared data: what any peer may write, offline too (`connection.data`).
 * Write it through `useConnection().data`; read it here.
 */
export function useSharedData(key?: string): unknown {
  const { connection } = useSshipContext('useSharedData')
  const store = SharedDataStore.for(connection.data)
  const select = useCallback((data: SharedData): unknown => (key === undefined ? data : data[key]), [key])
  return useSyncExternalStoreWithSelector(store.subscribe, store.getSnapshot, store.getSnapshot, select)
}
