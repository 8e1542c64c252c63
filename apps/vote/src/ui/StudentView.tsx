import { useConnection } from '@sship/react'
import { setPeerLabel } from '@sship/web'
import { useState, type ReactNode } from 'react'
import { asVoteReply } from '../server/voteServer.js'
import { BarChart } from './BarChart.js'
import { usePoll } from './usePoll.js'

const REFUSED: Record<string, string> = {
  'already-voted': 'you had voted already: your first vote counts',
  closed: 'the poll closed before your vote arrived',
  'no-poll': 'that poll is gone'
}

/** A student's phone: the open question, one button per option, one vote (decided by the server). */
export function StudentView({ voter }: { readonly voter: string }): ReactNode {
  const connection = useConnection()
  const { state, poll, counts } = usePoll()
  const [name, setName] = useState(() => localStorage.getItem('sship-vote-name') ?? '')
  const [sending, setSending] = useState<number | undefined>()
  const [note, setNote] = useState('')
  const mine = poll === undefined ? undefined : state.votes[poll.id]?.[voter]

  const saveName = (value: string): void => {
    setName(value)
    localStorage.setItem('sship-vote-name', value)
    if (value.trim() !== '') setPeerLabel(connection.data, connection.peer.self, { name: `student ${value.trim().slice(0, 40)}`, kind: 'browser' })
  }
  const vote = (option: number): void => {
    if (poll === undefined) return
    setSending(option)
    setNote('')
    // Sent once; core keeps it in the document until the server (whoever that is by then) decides it.
    void connection.send({ op: 'vote', poll: poll.id, voter, option }).then((result) => {
      setSending(undefined)
      if (result.status === 'failed') setNote(`not sent: ${result.error.message}`)
      else {
        const reply = asVoteReply(result.reply)
        if (reply?.ok === false) setNote(REFUSED[reply.reason] ?? reply.reason)
      }
    })
  }

  return (
    <section className="card" data-testid="student">
      <label>Your name (shown to the class as who is online)
        <input value={name} onChange={(e) => saveName(e.target.value)} placeholder="e.g. Sam" data-testid="student-name" />
      </label>
      {poll === undefined ? <p className="muted" data-testid="no-poll">No question yet: wait for your teacher.</p> : (
        <>
          <h2 data-testid="question">{poll.question}</h2>
          {poll.status === 'open' && mine === undefined && (
            <div className="options">
              {poll.options.map((label, i) => (
                <button key={i} disabled={sending !== undefined} onClick={() => vote(i)} data-testid={`option-${i}`}>
                  {label}{sending === i ? ' · sending…' : ''}
                </button>
              ))}
            </div>
          )}
          {mine !== undefined && <p className="ok" data-testid="my-vote" data-option={mine}>Your vote: {poll.options[mine]} (counted)</p>}
          {poll.status === 'closed' && <p className="muted" data-testid="closed">The poll is closed. Final result:</p>}
          {(poll.status === 'closed' || mine !== undefined) && <BarChart options={poll.options} counts={counts} />}
        </>
      )}
      {note !== '' && <p className="warn" data-testid="vote-note">{note}</p>}
    </section>
  )
}
