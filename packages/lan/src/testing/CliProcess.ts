import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The repository root (the child's working directory, so `--import tsx` resolves). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
/**
 * Run from source (vitest, tsx), this module starts the CLI's sources under tsx, with `@sship/*`
 * mapped to their sources as vitest's alias does: no build needed. Run from `dist`, it starts
 * the built CLI with plain node (faster to start: the soak uses that).
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts')
const CLI = fileURLToPath(new URL(FROM_SOURCE ? '../cli/main.ts' : '../cli/main.js', import.meta.url))
const TSCONFIG = fileURLToPath(new URL('../../src/testing/tsconfig.cli.json', import.meta.url))
/** Lines of stderr kept per child (a long soak must not grow without bound). */
const STDERR_LINES = 1000

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

/** Options of a {@link CliProcess}. */
export interface CliProcessOptions {
  /** Run inside this network namespace (`ip netns exec`; needs root). */
  readonly netns?: string
  /** Extra environment variables for the child (e.g. `SSHIP_SECRET`). */
  readonly env?: Readonly<Record<string, string>>
}

/**
 * A `sship … --json --control-stdin` child process, for tests and the soak, on loopback or in a
 * network namespace the caller made. Its records are collected as they arrive. It quits by itself
 * when its stdin closes (so it cannot outlive its parent unless SIGSTOPped at that moment) or
 * after `--exit-after`; {@link CliProcess.kill} signals it (SIGKILL by default).
 *
 * @example
 * ```ts
 * const port = await freeUdpPort()
 * const peer = new CliProcess('a', ['join', 'app', '--interface', '127.0.0.1', '--mdns-port', String(port)])
 * // ... peer.status()?.role, peer.all('ack'), peer.command('report')
 * peer.kill()
 * await peer.exited
 * ```
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
  private stopped = false

  /**
   * Starts `sship …args --json --control-stdin`; with `options.netns`, inside that network namespace
   * (`ip netns exec` execs node in place, so the child's pid is node's and {@link CliProcess.kill} reaches it).
   */
  constructor(readonly label: string, args: readonly string[], options: CliProcessOptions = {}) {
    const nodeArgs = [...(FROM_SOURCE ? ['--import', 'tsx'] : []), CLI, ...args, '--json', '--control-stdin']
    const [command, argv]: [string, string[]] = options.netns === undefined
      ? [process.execPath, nodeArgs]
      : ['ip', ['netns', 'exec', options.netns, process.execPath, ...nodeArgs]]
    this.child = spawn(command, argv, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, ...(FROM_SOURCE ? { TSX_TSCONFIG_PATH: TSCONFIG } : {}) },
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
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.stderr.push(line)
      if (this.stderr.length > STDERR_LINES) this.stderr.shift()
    })
  }

  /** The child's pid (node's, also under `ip netns exec`). */
  get pid(): number | undefined {
    return this.child.pid
  }

  /** True until the child exited. */
  get running(): boolean {
    return !this.done
  }

  /** True while SIGSTOPped by {@link CliProcess.kill} (until a SIGCONT). */
  get paused(): boolean {
    return this.stopped && this.running
  }

  /** The peer's GUID, from the `ready` record once printed. */
  get self(): string | undefined {
    const self = this.records.find((r) => r.record.type === 'ready')?.record.self
    return typeof self === 'string' ? self : undefined
  }

  /** The latest status record, if any. */
  status(): CliStatus | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i]?.record
      if (r?.type === 'status') return r as unknown as CliStatus
    }
    return undefined
  }

  /** Records of `type`, in order, from the `from`-th record on (default all). */
  all(type: string, from = 0): CliRecord[] {
    return this.records.slice(from).filter((r) => r.record.type === type).map((r) => r.record)
  }

  /** Sends one control command (`report`, `stop-sending`, `quit`). */
  command(line: string): void {
    if (this.running) this.child.stdin?.write(`${line}\n`)
  }

  /** Sends `signal` (SIGKILL by default) if the child still runs; SIGSTOP/SIGCONT set {@link CliProcess.paused}. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.running) return
    this.child.kill(signal)
    if (signal === 'SIGSTOP') this.stopped = true
    else if (signal === 'SIGCONT') this.stopped = false
  }

  /** A short description for failure messages. */
  describe(): unknown {
    return { label: this.label, running: this.running, status: this.status(), stderr: this.stderr.slice(-5) }
  }
}
