import type { CoordinatorSnapshot } from '@sship/core'
import { useCallback, useSyncExternalStore } from 'react'
import { useSshipContext } from '../provider/useSshipContext.js'

/**
 * Who is the server now, as core's {@link CoordinatorSnapshot}: `coordinator`, `epoch`,
 * `isServer`, `failoverInProgress`, `role`, `initialHost` (and `self`, `successors`, `alive`).
 * The object keeps its identity until one of those changes, so the component re-renders only then.
 */
export function useCoordinator(): CoordinatorSnapshot {
  const { connection } = useSshipContext('useCoordinator')
  const subscribe = useCallback((onChange: () => void) => connection.subscribe(onChange), [connection])
  const getSnapshot = useCallback(() => connection.getSnapshot(), [connection])
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
}
