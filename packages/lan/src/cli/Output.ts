import type { Writable } from 'node:stream'

/** A JSON-serialisable record printed by the CLI; `type` says what it is. */
export type OutputRecord = { readonly type: string; readonly [key: string]: unknown }

/**
 * Where the CLI prints: one JSON object per line (`--json`), a single status line rewritten in
 * place (a TTY), or one status line per change (a pipe without `--json`).
 */
export class Output {
  private statusShown = false
  private lastStatus: string | undefined

  constructor(
    private readonly stream: Writable & { readonly isTTY?: boolean },
    private readonly json: boolean,
    private readonly render: (record: OutputRecord) => string
  ) {}

  /** Prints a status record: replaces the previous status line on a TTY. */
  status(record: OutputRecord): void {
    if (this.json) return this.line(JSON.stringify(record))
    if (this.stream.isTTY === true) {
      this.lastStatus = this.render(record)
      this.stream.write(`\r\x1b[2K${this.lastStatus}`)
      this.statusShown = true
      return
    }
    this.line(this.render(record))
  }

  /** Prints an event record on its own line (above the status line on a TTY, which is drawn again below it). */
  event(record: OutputRecord): void {
    const redraw = this.statusShown
    this.line(this.json ? JSON.stringify(record) : this.render(record))
    if (redraw && this.lastStatus !== undefined) {
      this.stream.write(this.lastStatus)
      this.statusShown = true
    }
  }

  private line(text: string): void {
    if (this.statusShown) {
      this.stream.write('\r\x1b[2K')
      this.statusShown = false
    }
    this.stream.write(`${text}\n`)
  }
}
