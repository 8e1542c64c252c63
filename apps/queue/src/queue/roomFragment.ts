/** The two screens of the page. */
export type Screen = 'student' | 'ta'

/** What the page's URL fragment says: the screen, and the room secret if the link carries one. */
export interface RoomFragment {
  readonly screen: Screen
  readonly secret: string | undefined
}

/** The fragment parameter that carries the room secret (`#ta&room=…`); fragments never reach the server. */
export const SECRET_PARAM = 'room'

/** Parses `#student`, `#ta`, `#ta&room=SECRET` or `#room=SECRET` (anything else: the student screen). */
export function parseRoomFragment(hash: string): RoomFragment {
  const parts = hash.replace(/^#/, '').split('&')
  const screen: Screen = parts[0] === 'ta' ? 'ta' : 'student'
  let secret: string | undefined
  for (const part of parts) {
    if (!part.startsWith(`${SECRET_PARAM}=`)) continue
    try {
      secret = decodeURIComponent(part.slice(SECRET_PARAM.length + 1))
    } catch {
      secret = undefined
    }
  }
  return { screen, secret: secret === '' ? undefined : secret }
}

/** The fragment of `screen`, keeping the room secret in it when there is one. */
export function roomFragment(screen: Screen, secret: string | undefined): string {
  return secret === undefined ? `#${screen}` : `#${screen}&${SECRET_PARAM}=${encodeURIComponent(secret)}`
}
