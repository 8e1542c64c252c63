import { useSyncExternalStore } from 'react'
import type { LinkStatus } from '@sship/web'
import { useQueuePeer } from './QueuePeerContext.js'

/** How this page is linked (hosts over WebSocket, browsers over WebRTC). */
export function useLinkStatus(): LinkStatus {
  const { links } = useQueuePeer()
  return useSyncExternalStore(links.subscribe, links.getSnapshot, links.getSnapshot)
}
