import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { WorkerCommand, WorkerEvent } from './workerProtocol.js'

/** The worker scripts, next to this file once compiled. */
export const WORKER_SCRIPTS = {
  sship: fileURLToPath(new URL('./sshipWorker.js', import.meta.url)),
  yClient: fileURLToPath(new URL('./yClientWorker.js', import.meta.url)),
  yServer: fileURLToPath(new URL('./yServerProcess.js', import.meta.url))
} as const

/**
 * One bench worker process: JSON commands in, JSON events out, collected as they arrive. The
 * child quits by itself when its stdin closes or after its `--exit-after`, so it cannot outlive
 * the orchestrator; {@link WorkerProcess.kill} ends it at once.
 */
export class WorkerProcess {
  /** Every event, in arrival order. */
  readonly events: WorkerEvent[] = []
  /** The last lines of stderr, for error messages. */
  readonly stderr: string[] = []
  /** Resolves when the child exited. */
  readonly exited: Promise<void>
  private readonly child: ChildProcess
  private readonly waiters = new Set<() => void>()
  private done = false

  constructor(readonly label: string, script: string, args: readonly string[]) {
    this.child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => {
        this.done = true
        this.wake()
        resolve()
      })
    })
    this.child.stdin?.on('error', () => undefined)
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as WorkerEvent)
      } catch {
        this.stderr.push(`(stdout) ${line}`)
      }
      this.wake()
    })
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.stderr.push(line)
      if (this.stderr.length > 50) this.stderr.shift()
    })
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.child.pid
  }

  /** True until the child exited. */
  get running(): boolean {
    return !this.done
  }

  /** Writes one command (ignored once the child is gone). */
  send(cmd: WorkerCommand): void {
    if (this.running) this.child.stdin?.write(`${JSON.stringify(cmd)}\n`)
  }

  /** Resolves with the first event from index `from` on that matches, or rejects after `timeoutMs`. */
  waitFor<E extends WorkerEvent>(match: (e: WorkerEvent) => e is E, timeoutMs: number, from = 0): Promise<E> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < this.events.length; i++) {
          const e = this.events[i]
          if (e !== undefined && match(e)) {
            finish()
            resolve(e)
            return true
          }
        }
        if (!this.running) {
          finish()
          reject(new Error(`${this.label} exited while waiting (stderr: ${this.stderr.slice(-3).join(' | ')})`))
          return true
        }
        return false
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`${this.label}: timed out after ${timeoutMs} ms (stderr: ${this.stderr.slice(-3).join(' | ')})`))
      }, timeoutMs)
      const waiter = (): void => void check()
      const finish = (): void => {
        clearTimeout(timer)
        this.waiters.delete(waiter)
      }
      if (!check()) this.waiters.add(waiter)
    })
  }

  /** Sends a command and waits for the reply event that `match` recognises. */
  async request<E extends WorkerEvent>(cmd: WorkerCommand, match: (e: WorkerEvent) => e is E, timeoutMs = 10_000): Promise<E> {
    const from = this.events.length
    this.send(cmd)
    return this.waitFor(match, timeoutMs, from)
  }

  /** Sends `signal` (SIGKILL by default) if the child still runs. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal)
  }

  /** Asks the child to quit; kills it if it has not exited after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return
    this.send({ c: 'quit' })
    this.child.stdin?.end()
    const timer = setTimeout(() => this.kill(), graceMs)
    await this.exited
    clearTimeout(timer)
  }

  private wake(): void {
    for (const w of [...this.waiters]) w()
  }
}
