import type { WorkerProcess } from '../systems/real/WorkerProcess.js'
import type { Counters, SeriesEvent, StatsEvent, WorkerEvent } from '../systems/real/workerProtocol.js'
import { addTraffic, emptyTraffic, subTraffic, type Traffic } from './Traffic.js'

/** Bytes summed over processes: socket bytes, and frame bytes by category plus framing. */
export interface Bytes {
  readonly socket: number
  readonly traffic: Traffic
  readonly framing: number
}

const ZERO: Bytes = { socket: 0, traffic: emptyTraffic(), framing: 0 }
const isStats = (e: WorkerEvent): e is StatsEvent => e.e === 'stats'
const isSeries = (e: WorkerEvent): e is SeriesEvent => e.e === 'series'

function fromCounters(c: Counters): Bytes {
  return { socket: c.socketBytes, traffic: c.traffic, framing: c.framing }
}

/** `a + b`. */
export function addBytes(a: Bytes, b: Bytes): Bytes {
  return { socket: a.socket + b.socket, traffic: addTraffic(a.traffic, b.traffic), framing: a.framing + b.framing }
}

/** `a - b`. */
export function subBytes(a: Bytes, b: Bytes): Bytes {
  return { socket: a.socket - b.socket, traffic: subTraffic(a.traffic, b.traffic), framing: a.framing - b.framing }
}

/** Counters of each process now, by process. */
export async function countersNow(procs: readonly WorkerProcess[], tag: string): Promise<Map<WorkerProcess, Bytes>> {
  const replies = await Promise.all(procs.map((p) => p.request({ c: 'stats', tag }, isStats, 30_000)))
  return new Map(procs.map((p, i) => [p, fromCounters(replies[i]!.counters)]))
}

/** Sum of `after - before` over the processes of `after` (a process missing from `before` started at zero). */
export function delta(before: ReadonlyMap<WorkerProcess, Bytes>, after: ReadonlyMap<WorkerProcess, Bytes>): Bytes {
  let sum = ZERO
  for (const [p, b] of after) sum = addBytes(sum, subBytes(b, before.get(p) ?? ZERO))
  return sum
}

/** Each process's sampled counters since its last `record` command. */
export async function fetchSeries(procs: readonly WorkerProcess[]): Promise<Map<WorkerProcess, readonly Counters[]>> {
  const live = procs.filter((p) => p.running)
  const replies = await Promise.all(live.map((p) => p.request({ c: 'series' }, isSeries, 30_000)))
  return new Map(live.map((p, i) => [p, replies[i]!.samples]))
}

/**
 * Bytes sent in `[from, to]` (wall-clock ms), summed over the series: each process's last
 * sample at or before each bound (zero before its first sample if it started inside the window).
 */
export function bytesBetween(series: ReadonlyMap<WorkerProcess, readonly Counters[]>, from: number, to: number, startedInside: ReadonlySet<WorkerProcess> = new Set()): Bytes {
  let sum = ZERO
  for (const [p, samples] of series) {
    const at = (t: number): Bytes => {
      let last: Counters | undefined
      for (const s of samples) if (s.t <= t) last = s
      return last === undefined ? (startedInside.has(p) ? ZERO : fromCounters(samples[0] ?? ({ t: 0, socketBytes: 0, traffic: emptyTraffic(), framing: 0 }))) : fromCounters(last)
    }
    sum = addBytes(sum, subBytes(at(to), startedInside.has(p) ? ZERO : at(from)))
  }
  return sum
}
