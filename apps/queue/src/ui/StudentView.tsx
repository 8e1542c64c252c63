import { cryptoRandom } from '@sship/core/internals'
import { useConnection } from '@sship/react'
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { enqueue, leave } from '../queue/queueWrites.js'
import { EntryStatus, positionOf } from '../queue/queueView.js'
import { setPeerLabel } from '@sship/web'
import { useQueueView } from './useQueueView.js'
import { readLocal, readLocalList, writeLocal } from './localStore.js'
import { QueueList } from './QueueList.js'

const MINE = 'sship-queue:mine'
const NAME = 'sship-queue:name'

/** A student's screen: join the queue (a CRDT write, offline too), see your position, leave. */
export function StudentView(): ReactNode {
  const connection = useConnection()
  const view = useQueueView()
  const [name, setName] = useState(readLocal(NAME) ?? '')
  const [topic, setTopic] = useState('')
  const [mine, setMine] = useState<string[]>(() => readLocalList(MINE))
  const self = connection.peer.self

  // Every screen shows this peer by name as soon as it has one (not only once it joins the queue).
  const showName = (): void => {
    if (name.trim() !== '') setPeerLabel(connection.data, self, { name: `student ${name.trim()}`, kind: 'browser' })
  }
  useEffect(showName, []) // once at start, with the name this browser kept

  const join = (e: FormEvent): void => {
    e.preventDefault()
    if (name.trim() === '' || topic.trim() === '') return
    const id = enqueue(connection.data, { name, topic }, { by: self, now: Date.now(), random: cryptoRandom })
    setPeerLabel(connection.data, self, { name: `student ${name.trim()}`, kind: 'browser' })
    const next = [...mine, id]
    setMine(next)
    writeLocal(MINE, JSON.stringify(next))
    writeLocal(NAME, name.trim())
    setTopic('')
  }

  const myEntries = mine.map((id) => ({ id, entry: view.byId.get(id) })).reverse()
  return (
    <section className="card" aria-label="Student">
      <h2>Join the queue</h2>
      <form className="join" onSubmit={join}>
        <label>Your name<input data-testid="student-name" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} onBlur={showName} autoComplete="name" /></label>
        <label>What do you need help with?<input data-testid="student-topic" value={topic} maxLength={140} onChange={(e) => setTopic(e.target.value)} /></label>
        <button data-testid="enqueue" type="submit" disabled={name.trim() === '' || topic.trim() === ''}>Join queue</button>
      </form>
      {myEntries.length > 0 && (
        <ul className="mine" data-testid="my-entries">
          {myEntries.map(({ id, entry }) => {
            const pos = positionOf(view, id)
            const text = entry === undefined ? 'saved on this screen; syncing…'
              : entry.status === EntryStatus.Assigned ? `a TA is with you: ${entry.ta ?? ''}`
                : entry.status === EntryStatus.Left ? 'you left the queue'
                  : `you are #${pos ?? '?'} in line`
            return (
              <li key={id} data-testid="my-entry" data-entry={id} data-status={entry?.status ?? 'syncing'} data-position={pos ?? ''}>
                <div><b>{entry?.topic ?? '…'}</b><div className="muted">{text}</div></div>
                {entry?.status === EntryStatus.Waiting && (
                  <button className="secondary" onClick={() => leave(connection.data, id, { by: self, now: Date.now() })}>Leave</button>
                )}
              </li>
            )
          })}
        </ul>
      )}
      <QueueList />
    </section>
  )
}
