import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The repository root: the child's working directory, so `--import tsx` resolves. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = fileURLToPath(new URL('../../packages/lan/src/cli/main.ts', import.meta.url))
/** Maps `@sship/*` to their sources for the child (as the lan CLI tests do): no build needed. */
const TSCONFIG = fileURLToPath(new URL('../../packages/lan/test/support/tsconfig.cli.json', import.meta.url))

/** One JSON record printed by `sship join --json`. */
export type JoinRecord = { readonly type: string; readonly [key: string]: unknown }

/** The fields of a `status` record the soak reads. */
export interface JoinStatus {
  readonly self: string
  readonly role: string
  readonly coordinator: string | null
  readonly epoch: number
  readonly failoverInProgress: boolean
}

/**
 * One life of one `sship join --json --control-stdin` child, run from source under tsx (as
 * packages/lan/test/support/CliProcess.ts does). It quits by itself when its stdin closes, so it
 * cannot outlive the soak unless it is SIGSTOPped at that moment; the soak SIGKILLs every life on exit.
 */
export class PeerProcess {
  readonly records: JoinRecord[] = []
  readonly stderr: string[] = []
  readonly exited: Promise<number | string>
  private readonly child: ChildProcess
  private done = false
  /** True while SIGSTOPped by the chaos loop. */
  stopped = false

  constructor(readonly label: string, args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--json', '--control-stdin'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.done = true
        resolve(code ?? signal ?? -1)
      })
    })
    this.child.stdin?.on('error', () => undefined)
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.records.push(JSON.parse(line) as JoinRecord)
      } catch {
        this.stderr.push(`(stdout, not JSON) ${line}`)
      }
    })
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.stderr.push(line)
      if (this.stderr.length > 200) this.stderr.shift()
    })
  }

  get running(): boolean {
    return !this.done
  }

  /** The GUID from the `ready` record, once printed. */
  get self(): string | undefined {
    const r = this.records.find((x) => x.type === 'ready')
    return typeof r?.self === 'string' ? r.self : undefined
  }

  status(): JoinStatus | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i]
      if (r?.type === 'status') return r as unknown as JoinStatus
    }
    return undefined
  }

  all(type: string): JoinRecord[] {
    return this.records.filter((r) => r.type === type)
  }

  command(line: string): void {
    if (this.running) this.child.stdin?.write(`${line}\n`)
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal)
  }
}
