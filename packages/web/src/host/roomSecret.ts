import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'

/** The room secret the host uses, and where it came from. */
export interface RoomSecret {
  readonly secret: string
  readonly source: 'env' | 'file' | 'created'
}

/** Shortest secret accepted from a file or `SSHIP_SECRET`: the handshake allows offline guessing (docs/security.md). */
export const MIN_SECRET_LENGTH = 16

/**
 * The room secret: `SSHIP_SECRET` if set, else the first line of `file` — written first with 16
 * random bytes (base64url, mode 0600) if it does not exist. Undefined when neither is given.
 * Throws a `TypeError` that says what is wrong for a secret shorter than {@link MIN_SECRET_LENGTH}.
 */
export function loadRoomSecret(file: string | undefined, env: NodeJS.ProcessEnv = process.env): RoomSecret | undefined {
  const fromEnv = env.SSHIP_SECRET
  let found: RoomSecret | undefined
  if (fromEnv !== undefined && fromEnv !== '') found = { secret: fromEnv, source: 'env' }
  else if (file !== undefined) {
    try {
      found = { secret: (readFileSync(file, 'utf8').split('\n')[0] ?? '').trim(), source: 'file' }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      const secret = randomBytes(16).toString('base64url')
      writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
      found = { secret, source: 'created' }
    }
  }
  if (found !== undefined && found.secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`the room secret (${found.source === 'env' ? 'SSHIP_SECRET' : file}) has ${found.secret.length} characters; use at least ${MIN_SECRET_LENGTH} (delete the file to get a random one)`)
  }
  return found
}
