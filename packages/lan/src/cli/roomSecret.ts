import { readFileSync, statSync } from 'node:fs'
import { UsageError } from './cliArgs.js'

/** Where the CLI takes the room secret from: never the command line, which `ps` shows to every user. */
export type SecretSource =
  | { readonly from: 'file'; readonly path: string }
  | { readonly from: 'env'; readonly value: string }

/** The environment variable that may carry the room secret. */
export const SECRET_ENV = 'SSHIP_SECRET'

/**
 * Reads the room secret of `source`: a file's content without its trailing newline, or the
 * environment variable's value. Throws a {@link UsageError} naming the problem (missing file,
 * empty secret). Warns through `warn` when the file is readable by other users.
 */
export function readRoomSecret(source: SecretSource, warn: (message: string) => void): string {
  if (source.from === 'env') {
    if (source.value.length === 0) throw new UsageError(`${SECRET_ENV} is set but empty`)
    return source.value
  }
  let text: string
  try {
    text = readFileSync(source.path, 'utf8')
    if ((statSync(source.path).mode & 0o044) !== 0) warn(`${source.path} is readable by other users; chmod 600 it`)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`--secret-file ${source.path} does not exist. Create it once with a long random secret and share it with the room's ` +
        `members only, e.g.: node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))" > ${source.path} && chmod 600 ${source.path}`)
    }
    throw new UsageError(`cannot read --secret-file ${source.path}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const secret = text.replace(/\r?\n$/, '')
  if (secret.length === 0) throw new UsageError(`--secret-file ${source.path} is empty`)
  return secret
}
