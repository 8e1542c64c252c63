import type { Readable, Writable } from 'node:stream'

/** What the CLI commands touch outside themselves; `main` passes the process's, tests may pass fakes. */
export interface CliIO {
  readonly stdout: Writable & { readonly isTTY?: boolean }
  readonly stderr: Writable
  readonly stdin: Readable
  /** The environment (for `SSHIP_SECRET`). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Registers `handler` for SIGINT, SIGTERM and a broken stdout; returns the function that removes it. */
  onSignal(handler: (signal: string) => void): () => void
}

/** The real process's {@link CliIO}. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onSignal: (handler) => {
      // A closed stdout (e.g. piped into `head`) ends the run like a signal, instead of crashing it.
      const onStdoutError = (error: NodeJS.ErrnoException): void => handler(error.code === 'EPIPE' ? 'EPIPE' : 'stdout error')
      process.on('SIGINT', handler)
      process.on('SIGTERM', handler)
      process.stdout.on('error', onStdoutError)
      return () => {
        process.off('SIGINT', handler)
        process.off('SIGTERM', handler)
        process.stdout.off('error', onStdoutError)
      }
    }
  }
}
