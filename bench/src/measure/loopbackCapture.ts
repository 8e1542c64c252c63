import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The outcome of comparing the socket counters with a loopback capture over the same window. */
export type CaptureCheck =
  | {
      readonly tool: 'tshark'
      /**
       * What the processes' counters say was written to (client-server: read from and written to)
       * TCP sockets in the workload phase, read after the capture started and before it stopped.
       */
      readonly counterBytes: number
      /** The same, read before the capture started and after it stopped: the capture lies in between. */
      readonly outerCounterBytes: number
      /** Sum of the TCP payload lengths tshark captured on `lo` for the run's ports, retransmissions excluded. */
      readonly capturedBytes: number
      /** Payload bytes of retransmitted segments (sent again by TCP, counted once by a socket). */
      readonly retransmittedBytes: number
      /** (captured − counted) ÷ counted. */
      readonly relativeDifference: number
      readonly packets: number
      /** counterBytes ≤ capturedBytes ≤ outerCounterBytes: the counters agree with the capture. */
      readonly withinBracket: boolean
      /** Packets tshark reported dropped (null if it reported nothing): a busy machine makes it miss packets. */
      readonly dropped: number | null
    }
  | { readonly skipped: string }

/** Why a capture cannot run here, or null if tshark is installed. */
export function captureUnavailable(): string | null {
  const probe = spawnSync('tshark', ['--version'], { stdio: 'ignore', timeout: 10_000 })
  if (probe.error !== undefined) return 'tshark is not installed (Debian package `tshark`); the loopback capture check is skipped'
  if (probe.status !== 0) return `tshark --version exited with ${probe.status}; the loopback capture check is skipped`
  return null
}

/**
 * A tshark capture on the loopback interface of the TCP traffic to and from `ports`, written to
 * a temporary pcapng file. Only loopback is ever captured. {@link LoopbackCapture.stop} ends it
 * and sums the TCP payload bytes.
 */
export class LoopbackCapture {
  /** Everything tshark wrote to stderr (its packet and drop counts come last). */
  private stderr = ''

  private constructor(private readonly proc: ChildProcess, private readonly dir: string, private readonly file: string) {
    proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
    })
  }

  /** Starts tshark and waits (at most 15 s) until it reports that it is capturing. */
  static async start(ports: readonly number[]): Promise<LoopbackCapture> {
    if (ports.length === 0) throw new RangeError('no ports to capture')
    const dir = mkdtempSync(join(tmpdir(), 'sship-bench-capture-'))
    const file = join(dir, 'lo.pcapng')
    const filter = `tcp and (${ports.map((p) => `port ${p}`).join(' or ')})`
    const proc = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] })
    const capture = new LoopbackCapture(proc, dir, file)
    await new Promise<void>((resolve, reject) => {
      let err = ''
      const timer = setTimeout(() => {
        proc.kill('SIGKILL')
        reject(new Error(`tshark did not start capturing within 15 s: ${err.trim()}`))
      }, 15_000)
      proc.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString()
        if (/Capturing on/.test(err)) {
          clearTimeout(timer)
          resolve()
        }
      })
      proc.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`tshark exited (${code}) before capturing: ${err.trim()}`))
      })
    })
    return capture
  }

  /**
   * Stops the capture (SIGINT, then SIGKILL after 10 s) and returns the TCP payload bytes and
   * packets captured, the payload bytes of retransmitted segments among them, and the packets
   * tshark said it dropped (null if it did not say).
   */
  async stop(): Promise<{ bytes: number; packets: number; retransmitted: number; dropped: number | null }> {
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000)
        this.proc.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        this.proc.kill('SIGINT')
      })
      const sum = (filter: string[]): { bytes: number; packets: number } => {
        const read = spawnSync('tshark', ['-r', this.file, ...filter, '-T', 'fields', '-e', 'tcp.len'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 })
        if (read.status !== 0) throw new Error(`tshark -r failed: ${read.stderr}`)
        let bytes = 0
        let packets = 0
        for (const line of read.stdout.split('\n')) {
          if (line.trim() === '') continue
          packets++
          bytes += Number(line)
        }
        return { bytes, packets }
      }
      const { bytes, packets } = sum([])
      // TCP sends these bytes twice while a socket counts them once.
      const retransmitted = sum(['-Y', 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission']).bytes
      const drop = /(\d+) packets? dropped/.exec(this.stderr)
      return { bytes, packets, retransmitted, dropped: drop === null ? null : Number(drop[1]) }
    } finally {
      rmSync(this.dir, { recursive: true, force: true })
    }
  }
}
