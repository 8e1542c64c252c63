import type { Conflict } from '@sship/core'
import { useSyncExternalStore } from 'react'
import { useSshipContext } from '../provider/useSshipContext.js'
import { ConflictLog } from '../store/ConflictLog.js'

/**
 * Requests re-decided after a partition healed (`connection.onConflict`), newest last: the last
 * {@link ConflictLog.LIMIT} since the connection was first given to an {@link SshipProvider}.
 * Same array until a new conflict arrives.
 */
export function useConflicts(): readonly Conflict[] {
  const { connection } = useSshipContext('useConflicts')
  const log = ConflictLog.for(connection)
  return useSyncExternalStore(log.subscribe, log.getSnapshot, log.getSnapshot)
}
