import type { CaptureCheck } from './loopbackCapture.js'
import type { SystemId } from '../systems/SystemId.js'
import type { Traffic } from './Traffic.js'

/** Where a run took place. */
export type RunMode = 'sim' | 'real'

/** What a coordinator (or central server) kill did. Times are milliseconds after the kill. */
export interface FailoverResult {
  /**
   * How the server was taken out: `crash` (simulation: it vanishes without a word), `SIGKILL`
   * (a process: the OS closes its sockets, so peers notice at once) or `SIGSTOP` (a frozen
   * process: silent, like a device that left the Wi-Fi).
   */
  readonly how: 'crash' | 'SIGKILL' | 'SIGSTOP'
  /** True when no device served requests again within the window: the service was gone. */
  readonly outage: boolean
  /** First suspicion of the dead server by any survivor (null: nothing noticed it). */
  readonly detectionMs: number | null
  /** First dequeue answered by a new server (null: none). */
  readonly firstServedMs: number | null
  /** Every live device points at the new server (null: never). */
  readonly repointMs: number | null
  /** The observation window after the kill. */
  readonly windowMs: number
  /** Bytes from the kill to the later of re-pointing and first service (the whole window for an outage). */
  readonly recoveryTraffic: Traffic
  readonly recoveryBytes: number
  /** Dequeues sent during the window (but its last 500 ms) that nobody answered by its end. */
  readonly unserved: number
  /** The server after the window, if any. */
  readonly newServer: string | null
  /** At the end of the window: how many live devices named each coordinator (`none` for none). */
  readonly pointsAt: Readonly<Record<string, number>>
}

/** What bringing the killed initial host back did. Times are milliseconds after its restart. */
export interface FailbackResult {
  /** The first dequeue answered by the returning host (null: it never served again). */
  readonly firstServedMs: number | null
  /** Every live device points at the returning host (null: never). */
  readonly repointMs: number | null
  /** Bytes from the restart to the later of the two (includes its fresh replica's full sync). */
  readonly traffic: Traffic
  readonly bytes: number
}

/** Requests lost or duplicated over a whole run. */
export interface Integrity {
  /** Dequeues sent before any outage by a device still alive, never answered. */
  readonly requestsLost: number
  /** Entries handed out to more than one dequeue. */
  readonly duplicates: number
  /** Entries written by a live producer that the serving replica does not hold (null: no server to check). */
  readonly entriesLost: number | null
}

/** Everything one run of one system at one size and payload measured. */
export interface RunResult {
  readonly system: SystemId
  readonly mode: RunMode
  readonly n: number
  readonly payloadBytes: number
  readonly seed: number
  readonly opsPerSecond: number
  readonly enqueues: number
  readonly dequeues: number
  /** The workload phase: from its first operation until every effect was seen everywhere. */
  readonly workloadMs: number
  readonly workloadTraffic: Traffic
  /**
   * The layer bytes were counted at: `frames` (sship frames or y-websocket messages handed to the
   * simulated network) or `socket` (bytes written to TCP sockets; the categories are then frame
   * bytes and {@link RunResult.framingBytes} holds the rest).
   */
  readonly wire: 'frames' | 'socket'
  /** Socket bytes of the workload phase outside any frame: WebSocket headers, hellos, pings. */
  readonly framingBytes: number
  /** Bytes on the wire per queue operation, both directions, all devices (liveness included). */
  readonly bytesPerOp: number
  /** The same without liveness traffic. */
  readonly bytesPerOpExclLiveness: number
  /**
   * Simulation: bytes of every frame the in-memory network carried per operation — unlike
   * {@link RunResult.bytesPerOp} (frames the peers sent), this includes frames relayed for others.
   */
  readonly wireBytesPerOp?: number
  /** Simulation: idle bytes per second the in-memory network carried (relayed frames included). */
  readonly wireIdleBytesPerSec?: number
  /** Idle bytes per second by category (no operations at all). */
  readonly idleTrafficPerSec: Traffic
  readonly idleBytesPerSec: number
  /** Per enqueue: until every other device saw it. */
  readonly enqueueVisibleMs: readonly number[]
  /** Per dequeue: until the consumer had the answer. */
  readonly dequeueAnsweredMs: readonly number[]
  /** The first server kill. */
  readonly failover?: FailoverResult
  /** Every kill of the run (real processes may kill and restart several times), the first included. */
  readonly failoverSamples?: readonly FailoverResult[]
  /** The first return of the killed host. */
  readonly failback?: FailbackResult
  /** Every return of the killed host, the first included. */
  readonly failbackSamples?: readonly FailbackResult[]
  readonly integrity: Integrity
  /** Real runs with `capture`: the workload phase's socket counters against a loopback capture. */
  readonly captureCheck?: CaptureCheck
  /** Wall-clock time the run took. */
  readonly wallMs: number
  /** Anything odd the harness noticed. */
  readonly notes: readonly string[]
}
