import { useSharedData, useSharedState } from '@sship/react'
import { useMemo } from 'react'
import { queueView, type QueueView } from '../queue/queueView.js'

/** The queue: shared data (entries, left marks) folded with the server state (assignments). */
export function useQueueView(): QueueView {
  const data = useSharedData()
  const state = useSharedState()
  return useMemo(() => queueView(data, state), [data, state])
}
