import { isAbsolute, resolve } from 'node:path'

/**
 * A path the user typed, resolved against the directory they ran the command in: `npm run`
 * changes the working directory to the package's, and says where the user was in `INIT_CWD`.
 * Pure apart from reading `cwd` when `env.INIT_CWD` is not set.
 */
export function userPath(path: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return isAbsolute(path) ? path : resolve(env.INIT_CWD ?? process.cwd(), path)
}

/** What a port is for, to name the flag that changes it. */
export interface PortFlag {
  readonly port: number
  /** E.g. `--port` or `--signaling-port`. */
  readonly flag: string
  /** What listens there, e.g. `the signaling server`. */
  readonly what: string
}

/**
 * A start-up error in words a new user can act on (cause and fix), or the error's own message:
 * a busy port names the flag to change (`ports` lists which flag sets which port), a data
 * directory that cannot be written says "read-only". Pure.
 */
export function explainError(error: unknown, context: { readonly ports?: readonly PortFlag[]; readonly dataDir?: string | undefined } = {}): string {
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string }
  const message = error instanceof Error ? error.message : String(error)
  if (e?.code === 'EADDRINUSE') {
    const known = context.ports?.find((p) => p.port === e.port)
    const where = `port ${e.port ?? '?'}${e.address === undefined ? '' : ` on ${e.address}`}`
    return known === undefined
      ? `${where} is in use by another program: stop it, or pick another port`
      : `${where} (${known.what}) is in use by another program: pick another with ${known.flag} N, or stop what uses it`
  }
  if ((e?.code === 'EACCES' || e?.code === 'EPERM' || e?.code === 'EROFS') && context.dataDir !== undefined && typeof e.path === 'string' && e.path.startsWith(context.dataDir)) {
    return `--data-dir ${context.dataDir} is read-only (${e.code} on ${e.path}): pass a directory you can write to`
  }
  return message
}
