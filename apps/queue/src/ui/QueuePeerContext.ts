import { createContext, useContext } from 'react'
import type { WebPeer as QueuePeer } from '@sship/web'

/** The page's {@link QueuePeer}, for the status hooks. */
export const QueuePeerContext = createContext<QueuePeer | undefined>(undefined)

/** The page's peer; throws outside `<QueuePeerContext.Provider>`, saying so. */
export function useQueuePeer(): QueuePeer {
  const peer = useContext(QueuePeerContext)
  if (peer === undefined) throw new Error('useQueuePeer: wrap the app in <QueuePeerContext.Provider value={peer}>')
  return peer
}
