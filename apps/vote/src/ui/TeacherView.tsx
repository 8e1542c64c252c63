import { cryptoRandom, randomHex } from '@sship/core/internals'
import { useConnection } from '@sship/react'
import { setPeerLabel } from '@sship/web'
import { useState, type ReactNode } from 'react'
import { MAX_OPTIONS } from '../poll/poll.js'
import { asVoteReply } from '../server/voteServer.js'
import { BarChart } from './BarChart.js'
import { usePoll } from './usePoll.js'

/** The teacher's screen: ask a question, watch the votes come in, close the poll (once). */
export function TeacherView(): ReactNode {
  const connection = useConnection()
  const { poll, counts } = usePoll()
  const [name, setName] = useState(() => localStorage.getItem('sship-vote-teacher') ?? 'Teacher')
  const [question, setQuestion] = useState('')
  const [options, setOptions] = useState('')
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState('')
  const lines = options.split('\n').map((o) => o.trim()).filter((o) => o !== '')

  const send = (msg: Record<string, string | string[]>): void => {
    setBusy(true)
    setNote('')
    void connection.send(msg).then((result) => {
      setBusy(false)
      if (result.status === 'failed') setNote(`not sent: ${result.error.message}`)
      else {
        const reply = asVoteReply(result.reply)
        if (reply?.ok === false) setNote(`refused: ${reply.reason}`)
      }
    })
  }
  const open = (): void => {
    const by = name.trim() || 'Teacher'
    localStorage.setItem('sship-vote-teacher', by)
    setPeerLabel(connection.data, connection.peer.self, { name: `teacher ${by.slice(0, 40)}`, kind: 'browser' })
    send({ op: 'open', poll: `p-${randomHex(cryptoRandom, 6)}`, question: question.trim(), options: lines, by })
    setQuestion('')
    setOptions('')
  }

  return (
    <section className="card" data-testid="teacher">
      {poll?.status === 'open' ? (
        <>
          <h2 data-testid="question">{poll.question}</h2>
          <BarChart options={poll.options} counts={counts} />
          <p><button disabled={busy} onClick={() => send({ op: 'close', poll: poll.id, by: name })} data-testid="close">Close the poll</button></p>
        </>
      ) : (
        <>
          {poll !== undefined && (
            <>
              <h2 data-testid="question">{poll.question}</h2>
              <p className="muted" data-testid="closed">Closed: the result is final.</p>
              <BarChart options={poll.options} counts={counts} />
            </>
          )}
          <h2>New question</h2>
          <label>Your name<input value={name} onChange={(e) => setName(e.target.value)} data-testid="teacher-name" /></label>
          <label>Question<input value={question} onChange={(e) => setQuestion(e.target.value)} data-testid="new-question" /></label>
          <label>Options, one per line (2 to {MAX_OPTIONS})
            <textarea rows={4} value={options} onChange={(e) => setOptions(e.target.value)} data-testid="new-options" />
          </label>
          <button disabled={busy || question.trim() === '' || lines.length < 2 || lines.length > MAX_OPTIONS} onClick={open} data-testid="open">Ask the class</button>
        </>
      )}
      {note !== '' && <p className="warn" data-testid="teacher-note">{note}</p>}
    </section>
  )
}
