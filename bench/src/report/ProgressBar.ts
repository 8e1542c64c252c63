/** Least time between two lines of the same step when stderr is not a terminal. */
export const DETAIL_EVERY_MS = 5000

/**
 * A progress bar on stderr: one line rewritten in place on a terminal; otherwise one line per
 * step, plus a line for a step's progress when {@link DETAIL_EVERY_MS} passed since the last
 * line (so logs stay readable and a long step still shows that it moves). Progress is weighted
 * by each step's estimated cost.
 */
export class ProgressBar {
  private done = 0
  private lastLabel = ''
  private lastLineAt = -Infinity
  private readonly started = performance.now()
  private readonly tty: boolean

  constructor(private readonly total: number, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true
  }

  /** Shows that the step `label` (of weight `cost`) starts, with an optional detail. */
  update(label: string, detail = ''): void {
    const width = 24
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1
    const filled = Math.round(frac * width)
    const now = performance.now()
    const elapsed = (now - this.started) / 1000
    if (!this.tty && detail !== '' && label === this.lastLabel && now - this.lastLineAt < DETAIL_EVERY_MS) return
    this.lastLabel = label
    this.lastLineAt = now
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${elapsed.toFixed(0).padStart(4)} s  ${label}${detail === '' ? '' : ` (${detail})`}`
    if (this.tty) this.stream.write(`\r\x1b[2K${line}`)
    else this.stream.write(`${line}\n`)
  }

  /** Marks `cost` worth of work as done. */
  advance(cost: number): void {
    this.done += cost
  }

  /** Ends the bar's line. */
  finish(message: string): void {
    const elapsed = ((performance.now() - this.started) / 1000).toFixed(1)
    this.stream.write(`${this.tty ? '\r\x1b[2K' : ''}[${'#'.repeat(24)}] 100% ${elapsed} s  ${message}\n`)
  }
}
