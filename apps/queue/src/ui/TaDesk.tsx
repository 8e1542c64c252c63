import { useState, type FormEvent, type ReactNode } from 'react'
import { pinMatches, readTaPin } from '../queue/taPin.js'
import { readLocal, writeLocal } from './localStore.js'
import { useQueuePeer } from './QueuePeerContext.js'
import { TaView } from './TaView.js'

const UNLOCKED = 'sship-queue:ta-unlocked'

/** The TA desk, behind the PIN when the host was started with `--ta-pin` (remembered by this browser). */
export function TaDesk(): ReactNode {
  const check = readTaPin(useQueuePeer().config?.settings)
  const [unlocked, setUnlocked] = useState(() => check === undefined || readLocal(UNLOCKED) === check.hash)
  const [pin, setPin] = useState('')
  const [wrong, setWrong] = useState(false)
  if (unlocked || check === undefined) return <TaView />
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    if (!pinMatches(check, pin)) {
      setWrong(true)
      return
    }
    writeLocal(UNLOCKED, check.hash)
    setUnlocked(true)
  }
  return (
    <section className="card" aria-label="TA desk locked">
      <h2>TA desk</h2>
      <form className="join" onSubmit={submit}>
        <label>PIN (from the host){wrong && <span className="warn" data-testid="pin-wrong"> · not this one</span>}
          <input data-testid="ta-pin" type="password" inputMode="numeric" value={pin} onChange={(e) => { setPin(e.target.value); setWrong(false) }} />
        </label>
        <button data-testid="ta-unlock" type="submit" disabled={pin === ''}>Open the desk</button>
      </form>
      <p className="muted">Students: the queue is on the Student tab.</p>
    </section>
  )
}
