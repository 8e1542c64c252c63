import { loadavg } from 'node:os'
import { seededRandom } from '@sship/core/internals'
import { lastRole, RealCluster, sleep } from '../systems/real/RealCluster.js'
import type { WorkerProcess } from '../systems/real/WorkerProcess.js'
import { wallNow, type AckEvent, type EntriesEvent, type SeenEvent, type WorkerEvent } from '../systems/real/workerProtocol.js'
import { SystemId } from '../systems/SystemId.js'
import { defaultConsumers, generateWorkload } from '../workload/generateWorkload.js'
import type { QueueOp, Workload } from '../workload/Workload.js'
import { captureUnavailable, LoopbackCapture, type CaptureCheck } from './loopbackCapture.js'
import { OpBook } from './OpBook.js'
import { bytesBetween, countersNow, delta, fetchSeries, type Bytes } from './realCounters.js'
import { realRoleTimes } from './realRoleTimes.js'
import type { FailbackResult, FailoverResult, RunResult } from './RunResult.js'
import { emptyTraffic, scaleTraffic } from './Traffic.js'

/** What one real-process run does. */
export interface RealRunSpec {
  readonly system: SystemId
  readonly n: number
  readonly payloadBytes: number
  readonly seed: number
  readonly ops: number
  readonly opsPerSecond: number
  readonly idleMs: number
  /** Server kills (each followed, for sship, by the host's return); 0 skips the fault phases. */
  readonly kills: number
  /** Check the workload phase's socket counters against a tshark capture on loopback (skipped, and said so, without tshark). */
  readonly capture?: boolean
}

const WINDOW_MS = 2500
const FAILBACK_MAX_MS = 12_000
const isSeen = (e: WorkerEvent): e is SeenEvent => e.e === 'seen'
const isEntries = (e: WorkerEvent): e is EntriesEvent => e.e === 'entries'

interface Sent {
  readonly device: number
  readonly proc: WorkerProcess
  readonly at: number
}

/**
 * Runs one system as real processes on loopback (see {@link RealCluster}): idle phase, the
 * seeded workload, then `kills` rounds of SIGKILL of the server while the workload goes on
 * (and, for sship, the host's restart and failback), then the integrity checks.
 * Times are wall-clock milliseconds; bytes are socket bytes.
 */
export async function runReal(spec: RealRunSpec, progress: (what: string) => void = () => undefined): Promise<RunResult> {
  const wallStart = performance.now()
  const cluster = new RealCluster({ system: spec.system, n: spec.n, exitAfterMs: 300_000 })
  const notes: string[] = [`load average (1 min) at start: ${loadavg()[0]?.toFixed(1)}`]
  const sent = new Map<string, Sent>()
  const incarnation = new Map<WorkerProcess, number>()
  let probes = 0
  try {
    progress('starting processes')
    await cluster.start()
    cluster.devices.forEach((d) => incarnation.set(d, 0))
    await sleep(1000)

    const doOp = (op: QueueOp): void => {
      const proc = cluster.devices[op.device]
      if (!cluster.isLive(proc) || proc === undefined) return
      if (op.kind === 'enqueue') proc.send({ c: 'enq', id: op.entry, k: op.index, size: spec.payloadBytes, seed: spec.seed })
      else {
        sent.set(op.request, { device: op.device, proc, at: wallNow() })
        proc.send({ c: 'deq', r: op.request })
      }
    }
    const play = async (w: Workload, base: number, from: number, until: number): Promise<number> => {
      let i = from
      for (; i < w.ops.length; i++) {
        const op = w.ops[i]
        if (op === undefined || base + op.at > until) break
        const wait = base + op.at - wallNow()
        if (wait > 0) await sleep(wait)
        doOp(op)
      }
      const rest = until - wallNow()
      if (rest > 0 && Number.isFinite(rest)) await sleep(rest)
      return i
    }
    const probe = (): void => {
      const d = [...cluster.devices.keys()].reverse().find((i) => cluster.isLive(cluster.devices[i]))
      const proc = d === undefined ? undefined : cluster.devices[d]
      if (d === undefined || proc === undefined) return
      const r = `probe${probes++}`
      sent.set(r, { device: d, proc, at: wallNow() })
      proc.send({ c: 'deq', r })
    }
    const workloadOf = (ops: number, seed: number): Workload => generateWorkload({
      devices: spec.n, consumers: defaultConsumers(spec.n), payloadBytes: spec.payloadBytes, ops, opsPerSecond: spec.opsPerSecond, enqueueShare: 0.6, seed
    })

    // Idle.
    progress('idle')
    let idle: Bytes = { socket: 0, traffic: emptyTraffic(), framing: 0 }
    if (spec.idleMs > 0) {
      const a = await countersNow(cluster.counting(), 'idle0')
      await sleep(spec.idleMs)
      idle = delta(a, await countersNow(cluster.counting(), 'idle1'))
    }

    // Workload.
    progress('workload')
    const w = workloadOf(spec.ops, spec.seed)
    let captureCheck: CaptureCheck | undefined
    let capture: { proc: LoopbackCapture; outer0: Map<WorkerProcess, Bytes> } | undefined
    if (spec.capture === true) {
      const why = captureUnavailable()
      if (why === null) {
        // Counters read before the capture starts and after it stops bracket it from outside.
        const outer0 = await countersNow(cluster.counting(), 'c0')
        capture = { proc: await LoopbackCapture.start(cluster.listenPorts()), outer0 }
      } else captureCheck = { skipped: why }
    }
    const before = await countersNow(cluster.counting(), 'w0')
    const base = wallNow() + 50
    await play(w, base, 0, Infinity)
    const deadline = wallNow() + 5000
    const requests = w.ops.flatMap((o) => (o.kind === 'dequeue' ? [o.request] : []))
    while (wallNow() < deadline && !requests.every((r) => acks(cluster).has(r))) await sleep(50)
    await sleep(300)
    const workloadEnd = wallNow()
    const workloadBytes = delta(before, await countersNow(cluster.counting(), 'w1'))
    if (capture !== undefined) {
      // Bytes counted just before the reading may still be in the kernel or in tshark's buffers.
      await sleep(500)
      const captured = await capture.proc.stop()
      const outer = delta(capture.outer0, await countersNow(cluster.counting(), 'c1')).socket
      const wire = captured.bytes - captured.retransmitted
      captureCheck = {
        tool: 'tshark', counterBytes: workloadBytes.socket, outerCounterBytes: outer, capturedBytes: wire, retransmittedBytes: captured.retransmitted, packets: captured.packets,
        relativeDifference: workloadBytes.socket === 0 ? 0 : (wire - workloadBytes.socket) / workloadBytes.socket,
        withinBracket: wire >= workloadBytes.socket && wire <= outer,
        dropped: captured.dropped
      }
    }
    const book = new OpBook()
    await collectVisibility(cluster, book, incarnation)
    const enqueueVisibleMs = book.visibleToAllMs(spec.n - 1, -Infinity, workloadEnd)
    if (enqueueVisibleMs.length < w.ops.filter((o) => o.kind === 'enqueue').length) notes.push('workload: some enqueues were not seen by every device')

    // Kills.
    const failovers: FailoverResult[] = []
    const failbacks: FailbackResult[] = []
    let firstKillAt = Infinity
    const random = seededRandom(spec.seed ^ 0xfa11)
    for (let k = 0; k < spec.kills; k++) {
      progress(`kill ${k + 1}/${spec.kills}`)
      const offset = 200 + Math.round(random.next() * 100)
      const w2 = workloadOf(Math.round(((offset + WINDOW_MS) / 1000) * spec.opsPerSecond), spec.seed + 7919 * (k + 1))
      for (const p of cluster.counting()) p.send({ c: 'record', everyMs: 20 })
      const base2 = wallNow() + 50
      const next = await play(w2, base2, 0, base2 + offset)
      const killAt = wallNow()
      firstKillAt = Math.min(firstKillAt, killAt)
      const how = spec.system === SystemId.Sship && k % 2 === 1 ? 'SIGSTOP' : 'SIGKILL'
      const victim = cluster.kill(how)
      probe()
      await play(w2, base2, next, killAt + WINDOW_MS)
      const series = await fetchSeries(cluster.counting())
      failovers.push(failoverResult(cluster, sent, killAt, victim, series, how))
      if (spec.system !== SystemId.Sship) break
      progress(`failback ${k + 1}/${spec.kills}`)
      for (const p of cluster.counting()) p.send({ c: 'record', everyMs: 20 })
      const restartAt = wallNow()
      const back = await cluster.restartKilled()
      if (back === undefined) break
      incarnation.set(back, k + 1)
      back.send({ c: 'record', everyMs: 20 })
      let lastProbe = 0
      while (wallNow() < restartAt + FAILBACK_MAX_MS) {
        if (wallNow() - lastProbe >= 250) {
          probe()
          lastProbe = wallNow()
        }
        await sleep(20)
        const role = realRoleTimes(cluster, restartAt, victim)
        if (role.server === victim && role.repointedAt !== null && servedBy(cluster, victim, restartAt) !== null) break
      }
      const series2 = await fetchSeries(cluster.counting())
      failbacks.push(failbackResult(cluster, restartAt, victim, series2, back))
      await sleep(500)
    }

    notes.push(`load average (1 min) before the checks: ${loadavg()[0]?.toFixed(1)}`)
    // Integrity.
    progress('checks')
    await sleep(1500)
    const entriesLost = await lostEntries(cluster, book, firstKillAt)
    const got = acks(cluster)
    const lost = [...sent].filter(([r, s]) => s.at < firstKillAt && !got.has(r) && cluster.isLive(s.proc) && cluster.devices[s.device] === s.proc).length
    const handedOut = new Map<string, number>()
    for (const a of got.values()) if (a.entry !== null) handedOut.set(a.entry, (handedOut.get(a.entry) ?? 0) + 1)
    const duplicates = [...handedOut.values()].reduce((sum, c) => sum + c - 1, 0)
    const dequeueAnsweredMs = [...got.values()].filter((a) => a.sentAt >= base && a.sentAt < workloadEnd).map((a) => a.t - a.sentAt)
    const ops = w.ops.length
    const idleSec = spec.idleMs / 1000
    return {
      system: spec.system, mode: 'real', n: spec.n, payloadBytes: spec.payloadBytes, seed: spec.seed, opsPerSecond: spec.opsPerSecond,
      enqueues: w.ops.filter((o) => o.kind === 'enqueue').length,
      dequeues: requests.length,
      workloadMs: workloadEnd - base,
      workloadTraffic: workloadBytes.traffic,
      wire: 'socket',
      framingBytes: workloadBytes.framing,
      bytesPerOp: ops === 0 ? 0 : workloadBytes.socket / ops,
      bytesPerOpExclLiveness: ops === 0 ? 0 : (workloadBytes.socket - workloadBytes.traffic.liveness) / ops,
      idleTrafficPerSec: idleSec > 0 ? scaleTraffic({ ...idle.traffic, liveness: idle.traffic.liveness + idle.framing }, 1 / idleSec) : emptyTraffic(),
      idleBytesPerSec: idleSec > 0 ? idle.socket / idleSec : 0,
      enqueueVisibleMs,
      dequeueAnsweredMs,
      ...(failovers[0] === undefined ? {} : { failover: failovers[0], failoverSamples: failovers }),
      ...(failbacks[0] === undefined ? {} : { failback: failbacks[0], failbackSamples: failbacks }),
      integrity: { requestsLost: lost, duplicates, entriesLost },
      ...(captureCheck === undefined ? {} : { captureCheck }),
      wallMs: performance.now() - wallStart,
      notes
    }
  } finally {
    await cluster.stop()
  }
}

/** How many live devices name each coordinator in their last role event. */
function pointsAt(cluster: RealCluster): Record<string, number> {
  const out: Record<string, number> = {}
  for (const d of cluster.devices) {
    if (!cluster.isLive(d)) continue
    const c = lastRole(d)?.coordinator ?? 'none'
    out[c] = (out[c] ?? 0) + 1
  }
  return out
}

/** Every answered dequeue of the run, by request id (the first answer counts). */
function acks(cluster: RealCluster): Map<string, AckEvent> {
  const out = new Map<string, AckEvent>()
  for (const p of cluster.all) {
    for (const e of p.events) if (e.e === 'ack' && !out.has(e.r)) out.set(e.r, e)
  }
  return out
}

/** The first answer after `since` served by `by`, as wall-clock time. */
function servedBy(cluster: RealCluster, by: string, since: number): number | null {
  let first: number | null = null
  for (const a of acks(cluster).values()) if (a.by === by && a.t >= since && (first === null || a.t < first)) first = a.t
  return first
}

/** Fills `book` with when each device wrote and first saw each entry. */
async function collectVisibility(cluster: RealCluster, book: OpBook, incarnation: ReadonlyMap<WorkerProcess, number>): Promise<void> {
  const replies = await Promise.all(cluster.devices.map((d) => d.request({ c: 'seen' }, isSeen, 30_000)))
  replies.forEach((r, device) => {
    const proc = cluster.devices[device]
    for (const [entry, t] of Object.entries(r.wrote)) book.enqueued(entry, device, proc === undefined ? 0 : (incarnation.get(proc) ?? 0), t)
  })
  for (const r of replies) for (const [entry, t] of Object.entries(r.seen)) book.seen(entry, t)
}

async function lostEntries(cluster: RealCluster, book: OpBook, before: number): Promise<number | null> {
  const server = cluster.serving()
  if (server === undefined) return null
  const held = new Set((await server.request({ c: 'entries' }, isEntries)).entries)
  return [...book.enqueues.values()].filter((e) => e.at < before && cluster.isLive(cluster.devices[e.device]) && !held.has(e.entry)).length
}

function failoverResult(
  cluster: RealCluster, sent: ReadonlyMap<string, Sent>, killAt: number, victim: string, series: Awaited<ReturnType<typeof fetchSeries>>,
  how: 'SIGKILL' | 'SIGSTOP'
): FailoverResult {
  const role = realRoleTimes(cluster, killAt, victim)
  let firstServed: number | null = null
  const got = acks(cluster)
  for (const a of got.values()) if (a.t >= killAt && a.by !== victim && (firstServed === null || a.t < firstServed)) firstServed = a.t
  const firstServedMs = firstServed === null ? null : firstServed - killAt
  const repointMs = role.repointedAt === null ? null : role.repointedAt - killAt
  const outage = firstServedMs === null || role.server === null
  const end = outage ? killAt + WINDOW_MS : killAt + Math.max(firstServedMs ?? 0, repointMs ?? WINDOW_MS)
  const b = bytesBetween(series, killAt, end)
  // A request sent in the window's last half second may simply not be answered yet: not counted.
  const unserved = [...sent].filter(([r, s]) => s.at >= killAt && s.at <= killAt + WINDOW_MS - 500 && !got.has(r)).length
  return {
    how,
    outage,
    detectionMs: role.detectedAt === null ? null : role.detectedAt - killAt,
    firstServedMs,
    repointMs,
    windowMs: WINDOW_MS,
    recoveryTraffic: { ...b.traffic, control: b.traffic.control + b.framing },
    recoveryBytes: b.socket,
    unserved,
    newServer: role.server,
    pointsAt: pointsAt(cluster)
  }
}

function failbackResult(
  cluster: RealCluster, restartAt: number, victim: string, series: Awaited<ReturnType<typeof fetchSeries>>, back: WorkerProcess
): FailbackResult {
  const role = realRoleTimes(cluster, restartAt, victim)
  const served = servedBy(cluster, victim, restartAt)
  const repointedAt = role.server === victim ? role.repointedAt : null
  const end = Math.max(served ?? 0, repointedAt ?? 0, restartAt)
  const b = bytesBetween(series, restartAt, end === restartAt ? wallNow() : end, new Set([back]))
  return {
    firstServedMs: served === null ? null : served - restartAt,
    repointMs: repointedAt === null ? null : repointedAt - restartAt,
    traffic: { ...b.traffic, control: b.traffic.control + b.framing },
    bytes: b.socket
  }
}

