import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** A line a child peer printed, parsed. */
export type ChildLine = Record<string, unknown>

/**
 * A TypeScript script of `test/support` running in its own Node process (through tsx), so a
 * test can kill it like a crash. Lines it prints are JSON; {@link ChildPeer.waitFor} waits for one.
 */
export class ChildPeer {
  readonly lines: ChildLine[] = []
  private readonly child: ChildProcess
  private stderr = ''
  private readonly exited: Promise<void>

  constructor(script: string, args: readonly string[]) {
    const path = fileURLToPath(new URL(script, import.meta.url))
    this.child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let buffered = ''
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        try {
          this.lines.push(JSON.parse(line) as ChildLine)
        } catch {
          this.stderr += `${line}\n`
        }
      }
    })
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
    })
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()))
  }

  /** Resolves with the first line (printed so far or later) that `match` accepts; rejects after `timeoutMs`. */
  async waitFor(what: string, match: (line: ChildLine) => boolean, timeoutMs = 20_000): Promise<ChildLine> {
    const start = performance.now()
    for (;;) {
      const hit = this.lines.find(match)
      if (hit !== undefined) return hit
      if (this.child.exitCode !== null) throw new Error(`child exited (${this.child.exitCode}) before ${what}; stderr:\n${this.stderr}`)
      if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; stderr:\n${this.stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** Kills the process at once (a crash: no goodbye of any kind) and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }

  /** Asks the process to stop (closes its stdin), killing it if it has not exited within 3 s. */
  async stop(): Promise<void> {
    this.child.stdin?.end()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000)
    await this.exited
    clearTimeout(timer)
  }
}
