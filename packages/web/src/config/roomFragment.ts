/** What a page's URL fragment says: the screen, and the room secret if the link carries one. */
export interface RoomFragment<S extends string = string> {
  readonly screen: S
  readonly secret: string | undefined
}

/** The fragment parameter that carries the room secret (`#ta&room=…`); fragments never reach the server. */
export const SECRET_PARAM = 'room'

/**
 * Parses `#<screen>`, `#<screen>&room=SECRET` or `#room=SECRET`. `screens` are the app's screens;
 * the first is the default (for an unknown or missing screen).
 */
export function parseRoomFragment<S extends string>(hash: string, screens: readonly [S, ...S[]]): RoomFragment<S> {
  const parts = hash.replace(/^#/, '').split('&')
  const screen = screens.find((s) => s === parts[0]) ?? screens[0]
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
export function roomFragment(screen: string, secret: string | undefined): string {
  return secret === undefined ? `#${screen}` : `#${screen}&${SECRET_PARAM}=${encodeURIComponent(secret)}`
}

/** Just the room secret of a fragment (any screen). */
export function fragmentSecret(hash: string): string | undefined {
  return parseRoomFragment(hash, ['']).secret
}
