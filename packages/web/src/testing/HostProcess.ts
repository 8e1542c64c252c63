import { spawn, type ChildProcess } from 'node:child_process'

/** Where an app's host script is, and how its first line names the page's URL. */
export interface HostScript {
  /** The app's directory (the child's working directory). */
  readonly cwd: string
  /** The host's entry point, relative to `cwd`, run under tsx (e.g. `host/main.ts`). */
  readonly script: string
  /** Matches the line that prints the page's URL; group 1 is the URL (without its fragment). */
  readonly urlLine: RegExp
}

/** An app's Node host (a `startWebHost` script under tsx) as a child process, with its output kept. */
export class HostProcess {
  readonly lines: string[] = []
  private readonly child: ChildProcess
  private exited: Promise<number | null>

  constructor(private readonly host: HostScript, readonly args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', host.script, '--no-qr', ...args], { cwd: host.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let buffer = ''
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString()
      const parts = buffer.split('\n')
      buffer = parts.pop() ?? ''
      this.lines.push(...parts)
    }
    this.child.stdout?.on('data', onData)
    this.child.stderr?.on('data', onData)
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)))
  }

  /** The page URL the host printed (without its fragment); rejects after `timeoutMs`. */
  async url(timeoutMs = 30_000): Promise<string> {
    const start = Date.now()
    while (Date.now() - start < timeoutMs) {
      for (const line of this.lines) {
        const m = this.host.urlLine.exec(line)
        if (m?.[1] !== undefined) return m[1]
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`the host printed no URL within ${timeoutMs} ms:\n${this.lines.join('\n')}`)
  }

  /** Kills the host without a goodbye (a crash). */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL')
    await this.exited
  }

  /** Ctrl-C; resolves with the exit code (bounded: SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    this.child.kill('SIGINT')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}
