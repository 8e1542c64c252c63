import { useSyncExternalStore } from 'react'
import type { TimelineEvent } from '@sship/web'
import { useQueuePeer } from './QueuePeerContext.js'

/** The failovers and failbacks this page has seen, oldest first. */
export function useTimeline(): readonly TimelineEvent[] {
  const { timeline } = useQueuePeer()
  return useSyncExternalStore(timeline.subscribe, timeline.getSnapshot, timeline.getSnapshot)
}
