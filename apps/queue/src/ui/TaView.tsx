import type { SendResult } from '@sship/core'
import { useConflicts, useConnection, useCoordinator, useSend } from '@sship/react'
import { useEffect, useState, type ReactNode } from 'react'
import { displayName, setPeerLabel } from '@sship/web'
import { queueView } from '../queue/queueView.js'
import { forgetFinished } from '../queue/queueWrites.js'
import type { DequeueReply } from '../server/queueServer.js'
import { useLabels } from './useLabels.js'
import { useQueueView } from './useQueueView.js'
import { readLocal, writeLocal } from './localStore.js'
import { QueueList } from './QueueList.js'

const TA = 'sship-queue:ta'

/** A TA's screen: take the next student (a request the server decides once), see the queue. */
export function TaView(): ReactNode {
  const connection = useConnection()
  const { send } = useSend()
  const snap = useCoordinator()
  const conflicts = useConflicts()
  const labels = useLabels()
  const view = useQueueView()
  const [ta, setTa] = useState(readLocal(TA) ?? '')
  const [last, setLast] = useState<SendResult | undefined>()
  const [pending, setPending] = useState(false)

  // Every screen shows this TA by name as soon as it has one.
  const showName = (): void => {
    if (ta.trim() !== '') setPeerLabel(connection.data, connection.peer.self, { name: `TA ${ta.trim()}`, kind: 'browser' })
  }
  useEffect(showName, []) // once at start, with the name this browser kept

  const next = (): void => {
    const name = ta.trim()
    if (name === '' || pending) return
    writeLocal(TA, name)
    setPeerLabel(connection.data, connection.peer.self, { name: `TA ${name}`, kind: 'browser' })
    setPending(true)
    void send({ op: 'dequeue', ta: name }).then((result) => {
      setLast(result)
      setPending(false)
      // Keep the shared data (and so the server state) bounded all semester.
      if (result.status === 'acknowledged') forgetFinished(connection.data, queueView(connection.data.toJSON() as Record<string, unknown>, connection.getState()))
    })
  }

  const reply = last?.status === 'acknowledged' ? (last.reply as DequeueReply | undefined) : undefined
  const mineServed = view.assigned.filter((e) => e.ta === ta.trim()).reverse()
  return (
    <section className="card" aria-label="TA">
      <h2>TA desk</h2>
      <div className="join">
        <label>Your name<input data-testid="ta-name" value={ta} maxLength={60} onChange={(e) => setTa(e.target.value)} onBlur={showName} /></label>
        <button data-testid="dequeue" onClick={next} disabled={ta.trim() === '' || pending}>
          {pending ? (snap.failoverInProgress ? 'waiting for a new server…' : 'asking the server…') : 'Next student'}
        </button>
      </div>
      <div className="current" data-testid="current-student" data-status={pending ? 'pending' : last?.status ?? 'none'}
        data-entry={reply?.ok === true ? reply.entry.id : ''} data-by={last?.status === 'acknowledged' ? last.by : ''}
        data-epoch={last?.status === 'acknowledged' ? last.epoch : ''}>
        {last === undefined ? <p className="muted">Press “Next student” to call the first one in line.</p>
          : last.status === 'failed' ? <p className="warn">Failed: {last.error.message}</p>
            : reply?.ok === true ? (
              <>
                <div className="big">{reply.entry.name}</div>
                <div>{reply.entry.topic}</div>
                <div className="muted" data-testid="served-by">decided by {displayName(labels, last.by)} in epoch {last.epoch}</div>
              </>
            ) : <p className="muted" data-testid="served-by">Nobody is waiting (decided by {displayName(labels, last.by)}, epoch {last.epoch}).</p>}
      </div>
      {conflicts.length > 0 && (
        <p className="warn" data-testid="conflicts">{conflicts.length} request(s) were re-decided after a network split healed; the list below is authoritative.</p>
      )}
      <QueueList removable />
      {mineServed.length > 0 && (
        <>
          <h3>Called by you</h3>
          <ul className="served" data-testid="served-list">
            {mineServed.map((e) => <li key={e.id} data-entry={e.id}><span className="who">{e.name}</span> <span className="topic">{e.topic}</span></li>)}
          </ul>
        </>
      )}
    </section>
  )
}
