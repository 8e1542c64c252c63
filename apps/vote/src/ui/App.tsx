import { parseRoomFragment, roomFragment } from '@sship/web'
import { useEffect, useState, type ReactNode } from 'react'
import { StatusLine } from './StatusLine.js'
import { StudentView } from './StudentView.js'
import { TeacherView } from './TeacherView.js'

/** The page's screens, chosen by the URL fragment (`#student`, the default, or `#teacher`). */
export const SCREENS = ['student', 'teacher'] as const
type Screen = (typeof SCREENS)[number]
const screenOf = (hash: string): Screen => parseRoomFragment<Screen>(hash, ['student', 'teacher']).screen

/** The page: the student or the teacher screen, and who counts the votes. */
export function App({ voter }: { readonly voter: string }): ReactNode {
  const [screen, setScreen] = useState<Screen>(() => screenOf(location.hash))
  const secret = parseRoomFragment<Screen>(location.hash, ['student', 'teacher']).secret
  useEffect(() => {
    const onHash = (): void => setScreen(screenOf(location.hash))
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])
  return (
    <div className="app">
      <header>
        <h1>Class vote</h1>
        <nav>
          <a href={roomFragment('student', secret)} className={screen === 'student' ? 'active' : ''} data-testid="tab-student">Student</a>
          <a href={roomFragment('teacher', secret)} className={screen === 'teacher' ? 'active' : ''} data-testid="tab-teacher">Teacher</a>
        </nav>
      </header>
      <main>
        {screen === 'teacher' ? <TeacherView /> : <StudentView voter={voter} />}
        <StatusLine />
      </main>
    </div>
  )
}
