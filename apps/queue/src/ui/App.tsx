import { useEffect, useState, type ReactNode } from 'react'
import { StatusPanel } from './StatusPanel.js'
import { StudentView } from './StudentView.js'
import { TaDesk } from './TaDesk.js'
import { parseRoomFragment, roomFragment, type Screen } from '../queue/roomFragment.js'

const screenOf = (hash: string): Screen => parseRoomFragment(hash).screen

/** The page: a student or TA screen (by `#student` / `#ta`, see `parseRoomFragment`) beside the server status. */
export function App(): ReactNode {
  const [screen, setScreen] = useState<Screen>(() => screenOf(location.hash))
  // The links between the screens keep the room secret in the fragment (a reload needs it).
  const secret = parseRoomFragment(location.hash).secret
  useEffect(() => {
    const onHash = (): void => setScreen(screenOf(location.hash))
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])
  return (
    <div className="app">
      <header>
        <h1>Office hours</h1>
        <nav>
          <a href={roomFragment('student', secret)} className={screen === 'student' ? 'active' : ''} data-testid="tab-student">Student</a>
          <a href={roomFragment('ta', secret)} className={screen === 'ta' ? 'active' : ''} data-testid="tab-ta">TA</a>
        </nav>
      </header>
      <main className="layout">
        {screen === 'ta' ? <TaDesk /> : <StudentView />}
        <StatusPanel />
      </main>
    </div>
  )
}
