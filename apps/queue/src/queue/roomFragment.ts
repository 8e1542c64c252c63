import { parseRoomFragment as parseFragment, type RoomFragment } from '@sship/web'

/** The two screens of the page. */
export type Screen = 'student' | 'ta'

export { roomFragment } from '@sship/web'

/** Parses `#student`, `#ta`, `#ta&room=SECRET` or `#room=SECRET` (anything else: the student screen). */
export function parseRoomFragment(hash: string): RoomFragment<Screen> {
  return parseFragment<Screen>(hash, ['student', 'ta'])
}
