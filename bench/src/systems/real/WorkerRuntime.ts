import { createInterface } from 'node:readline'
import { wallNow, type Counters, type WorkerCommand, type WorkerEvent } from './workerProtocol.js'

/** What a worker does with the commands the runtime does not handle itself. */
export type CommandHandler = (cmd: WorkerCommand) => void | Promise<void>

/**
 * The plumbing every bench worker process shares: JSON commands from stdin, JSON events to
 * stdout, the counter samples of `record`/`series`, and the two ways it ends by itself: when
 * stdin closes (so a worker never outlives the orchestrator) and after `exitAfterMs`.
 */
export class WorkerRuntime {
  private samples: Counters[] = []
  private sampler: ReturnType<typeof setInterval> | undefined
  private stopping = false

  constructor(
    private readonly counters: () => Counters,
    private readonly shutdown: () => Promise<void>,
    exitAfterMs: number
  ) {
    setTimeout(() => void this.quit(), exitAfterMs).unref()
  }

  /** Writes one event line. */
  emit(event: WorkerEvent): void {
    process.stdout.write(`${JSON.stringify(event)}\n`)
  }

  /** Starts reading commands; `handler` gets those the runtime does not answer itself. */
  listen(handler: CommandHandler): void {
    const lines = createInterface({ input: process.stdin })
    lines.on('line', (line) => {
      let cmd: WorkerCommand
      try {
        cmd = JSON.parse(line) as WorkerCommand
      } catch {
        this.emit({ e: 'error', message: `not JSON: ${line.slice(0, 80)}` })
        return
      }
      void this.handle(cmd, handler)
    })
    lines.on('close', () => void this.quit())
  }

  /** Leaves cleanly and exits (idempotent). */
  async quit(): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    if (this.sampler !== undefined) clearInterval(this.sampler)
    const hardStop = setTimeout(() => process.exit(0), 2000)
    hardStop.unref()
    try {
      await this.shutdown()
    } catch {
      // Leaving is best effort: the orchestrator only needs the process gone.
    }
    process.stdout.write('', () => process.exit(0))
  }

  private async handle(cmd: WorkerCommand, handler: CommandHandler): Promise<void> {
    try {
      switch (cmd.c) {
        case 'stats':
          this.emit({ e: 'stats', tag: cmd.tag, counters: this.counters() })
          return
        case 'record':
          if (this.sampler !== undefined) clearInterval(this.sampler)
          this.samples = [this.counters()]
          this.sampler = setInterval(() => this.samples.push(this.counters()), cmd.everyMs)
          return
        case 'series':
          this.emit({ e: 'series', samples: [...this.samples, this.counters()] })
          return
        case 'quit':
          await this.quit()
          return
        default:
          await handler(cmd)
      }
    } catch (error) {
      this.emit({ e: 'error', message: error instanceof Error ? error.message : String(error) })
    }
  }
}

export { wallNow }
