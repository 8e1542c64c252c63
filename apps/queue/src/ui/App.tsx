import { useEffect, useState, type ReactNode } from 'react'
import { StatusPanel } from './StatusPanel.js'
import { StudentView } from './StudentView.js'
import { TaView } from './TaView.js'

type Screen = 'student' | 'ta'

const screenOf = (hash: string): Screen => (hash === '#ta' ? 'ta' : 'student')

/** The page: a student or TA screen (by `#student` / `#ta`) beside the server status. */
export function App(): ReactNode {
  const [screen, setScreen] = useState<Screen>(() => screenOf(location.hash))
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
          <a href="#student" className={screen === 'student' ? 'active' : ''} data-testid="tab-student">Student</a>
          <a href="#ta" className={screen === 'ta' ? 'active' : ''} data-testid="tab-ta">TA</a>
        </nav>
      </header>
      <main className="layout">
        {screen === 'ta' ? <TaView /> : <StudentView />}
        <StatusPanel />
      </main>
    </div>
  )
}
