import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The repository root (the child's working directory, so `--import tsx` resolves). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
/** Maps `@sship/core` to its sources for the child, as vitest's alias does here: no build needed. */
const TSCONFIG = fileURLToPath(new URL('./tsconfig.cli.json', import.meta.url))

/** One JSON record printed by `sship join --json`. */
export type CliRecord = { readonly type: string; readonly [key: string]: unknown }

/** The fields of a `status` record the tests read. */
export interface CliStatus {
  readonly self: string
  readonly role: string
  readonly coordinator: string | null
  readonly epoch: number
  readonly failoverInProgress: boolean
  readonly successors: readonly string[]
  readonly linked: readonly string[]
}

/**
 * A `sship join --json --control-stdin` child process running the CLI from source under tsx.
 * Its records are collected as they arrive. It quits by itself when its stdin closes (so it
 * cannot outlive the test process) or after `--exit-after`; {@link CliProcess.kill} ends it at once.
 */
export class CliProcess {
  /** Every record, in order, with the test-side arrival time (performance.now()). */
  readonly records: { readonly at: number; readonly record: CliRecord }[] = []
  /** Lines the child wrote to stderr. */
  readonly stderr: string[] = []
  /** Resolves with the exit code (or the signal name) when the child exits. */
  readonly exited: Promise<number | string>
  private readonly child: ChildProcess
  private done = false

  /**
   * Starts `sship …args --json --control-stdin`; with `options.netns`, inside that network namespace
   * (`ip netns exec` execs node in place, so the child's pid is node's and {@link CliProcess.kill} reaches it).
   */
  constructor(readonly label: string, args: readonly string[], options: { readonly netns?: string; readonly env?: Readonly<Record<string, string>> } = {}) {
    const nodeArgs = ['--import', 'tsx', CLI, ...args, '--json', '--control-stdin']
    const [command, argv]: [string, string[]] = options.netns === undefined
      ? [process.execPath, nodeArgs]
      : ['ip', ['netns', 'exec', options.netns, process.execPath, ...nodeArgs]]
    this.child = spawn(command, argv, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, TSX_TSCONFIG_PATH: TSCONFIG },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.done = true
        resolve(code ?? signal ?? -1)
      })
    })
    // Writing to a child that just died must not crash the test run.
    this.child.stdin?.on('error', () => undefined)
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.records.push({ at: performance.now(), record: JSON.parse(line) as CliRecord })
      } catch {
        this.stderr.push(`(stdout, not JSON) ${line}`)
      }
    })
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line))
  }

  /** The child's pid (node's, also under `ip netns exec`). */
  get pid(): number | undefined {
    return this.child.pid
  }

  /** True until the child exited. */
  get running(): boolean {
    return !this.done
  }

  /** The latest status record, if any. */
  status(): CliStatus | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i]?.record
      if (r?.type === 'status') return r as unknown as CliStatus
    }
    return undefined
  }

  /** Records of `type`, in order. */
  all(type: string): CliRecord[] {
    return this.records.filter((r) => r.record.type === type).map((r) => r.record)
  }

  /** Sends one control command (`report`, `stop-sending`, `quit`). */
  command(line: string): void {
    if (this.running) this.child.stdin?.write(`${line}\n`)
  }

  /** Sends `signal` (SIGKILL by default) if the child still runs. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal)
  }

  /** A short description for failure messages. */
  describe(): unknown {
    return { label: this.label, running: this.running, status: this.status(), stderr: this.stderr.slice(-5) }
  }
}
