import { useConnection } from '@sship/react'
import type { ReactNode } from 'react'
import { leave } from '../queue/queueWrites.js'
import { useQueueView } from './useQueueView.js'

/** The waiting students in order; with `removable`, each can be taken out (a left mark). */
export function QueueList({ removable = false }: { readonly removable?: boolean }): ReactNode {
  const view = useQueueView()
  const connection = useConnection()
  return (
    <div>
      <h3>Waiting <span className="count" data-testid="waiting-count">{view.waiting.length}</span></h3>
      {view.waiting.length === 0 ? <p className="muted">Nobody is waiting.</p> : (
        <ol className="queue" data-testid="queue-list">
          {view.waiting.map((e) => (
            <li key={e.id} data-entry={e.id}>
              <span className="who">{e.name}</span>
              <span className="topic">{e.topic}</span>
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
