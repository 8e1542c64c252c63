import { useConnection } from '@sship/react'
import type { ReactNode } from 'react'
import { leave } from '../queue/queueWrites.js'
import { useQueuePeer } from './QueuePeerContext.js'
import { useQueueView } from './useQueueView.js'

/** The waiting students in order; with `removable` (the TA desk), each can be taken out (a left mark) and topics always show. */
export function QueueList({ removable = false }: { readonly removable?: boolean }): ReactNode {
  const view = useQueueView()
  const connection = useConnection()
  // `--private-topics`: students see who waits, not what about.
  const showTopics = removable || useQueuePeer().config?.settings.privateTopics !== true
  return (
    <div>
      <h3>Waiting <span className="count" data-testid="waiting-count">{view.waiting.length}</span></h3>
      {view.waiting.length === 0 ? <p className="muted">Nobody is waiting.</p> : (
        <ol className="queue" data-testid="queue-list">
          {view.waiting.map((e) => (
            <li key={e.id} data-entry={e.id}>
              <span className="who">{e.name}</span>
              {showTopics && <span className="topic">{e.topic}</span>}
              {removable && (
                <button className="link" onClick={() => leave(connection.data, e.id, { by: connection.peer.self, now: Date.now() })} aria-label={`remove ${e.name}`}>remove</button>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
