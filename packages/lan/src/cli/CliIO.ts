import type { Readable, Writable } from 'node:stream'

/** What the CLI commands touch outside themselves; `main` passes the process's, tests may pass fakes. */
export interface CliIO {
  readonly stdout: Writable & { readonly isTTY?: boolean }
  readonly stderr: Writable
  readonly stdin: Readable
  /** Registers `handler` for SIGINT and SIGTERM; returns the function that removes it. */
  onSignal(handler: (signal: string) => void): () => void
}

/** The real process's {@link CliIO}. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    onSignal: (handler) => {
      process.on('SIGINT', handler)
      process.on('SIGTERM', handler)
      return () => {
        process.off('SIGINT', handler)
        process.off('SIGTERM', handler)
      }
    }
  }
}
