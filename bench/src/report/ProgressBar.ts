/**
 * A progress bar on stderr: one line rewritten in place on a terminal, one line per update
 * otherwise (so logs stay readable). Progress is weighted by each step's estimated cost.
 */
export class ProgressBar {
  private done = 0
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
    const elapsed = (performance.now() - this.started) / 1000
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
