import { seededRandom } from '@sship/core/internals'
import { SimClientServer } from '../systems/sim/SimClientServer.js'
import type { SimQueueSystem } from '../systems/sim/SimQueueSystem.js'
import { SimSship } from '../systems/sim/SimSship.js'
import { SystemId } from '../systems/SystemId.js'
import { defaultConsumers, generateWorkload } from '../workload/generateWorkload.js'
import { makePayload } from '../workload/payload.js'
import type { QueueOp, Workload } from '../workload/Workload.js'
import { OpBook } from './OpBook.js'
import type { FailbackResult, FailoverResult, RunResult } from './RunResult.js'
import { emptyTraffic, scaleTraffic, subTraffic, trafficTotal, type Traffic } from './Traffic.js'

/** What one simulated run does. */
export interface SimRunSpec {
  readonly system: SystemId
  readonly n: number
  readonly payloadBytes: number
  readonly seed: number
  /** Operations of the measured workload phase. */
  readonly ops: number
  readonly opsPerSecond: number
  /** Length of the idle phase (0 skips it). */
  readonly idleMs: number
  /** Kill the server after the workload (the workload goes on meanwhile at the same rate). */
  readonly failover: boolean
  /** Then bring it back (sship only). */
  readonly failback: boolean
  /** sship only: run on a capped mesh under the relay layer, `k` wanted links per device (issue 17). */
  readonly mesh?: { readonly k: number }
}

const STEP_MS = 5
const FAILOVER_WINDOW_MS = 3000
const FAILBACK_MAX_MS = 9000
const SETTLE_MS = 2000
const WARM_UP_MS = 3000

/** Builds the system of `spec` on a fresh in-memory network. */
function build(spec: SimRunSpec, book: OpBook): SimQueueSystem {
  if (spec.system === SystemId.ClientServer) return new SimClientServer(spec.n, spec.seed, book)
  return new SimSship(spec.n, spec.system === SystemId.Sship, spec.seed, book, spec.mesh)
}

/**
 * Runs one system on the in-memory network under virtual time: start, idle phase, the seeded
 * workload, then (optionally) a server kill while the workload goes on, then the killed host's
 * return, then a settle period and the integrity checks. All times are virtual milliseconds.
 * `progress` hears the phase (and the workload's progress) as it goes: a run at n = 500 takes
 * minutes of CPU, and runs synchronously.
 */
export function runSimulation(spec: SimRunSpec, progress: (detail: string) => void = () => {}): RunResult {
  const wallStart = performance.now()
  const book = new OpBook()
  progress('joining')
  const sys = build(spec, book)
  const notes: string[] = []
  sys.start(progress)
  const clock = sys.clock
  // Joins change the alive view for a while; measure from a steady state.
  for (let t = 0; t < WARM_UP_MS; t += 500) {
    progress(`warm-up ${t}/${WARM_UP_MS} ms (virtual)`)
    clock.advance(Math.min(500, WARM_UP_MS - t))
  }
  let probes = 0

  const doOp = (op: QueueOp): void => {
    if (!sys.isAlive(op.device)) return
    if (op.kind === 'enqueue') {
      book.enqueued(op.entry, op.device, sys.incarnation(op.device), clock.now())
      sys.enqueue(op.device, { id: op.entry, k: op.index, p: makePayload(spec.seed, op.index, spec.payloadBytes) })
    } else {
      book.sent(op.request, op.device, sys.incarnation(op.device), clock.now())
      sys.dequeue(op.device, op.request)
    }
  }
  const playUntil = (w: Workload, base: number, from: number, until: number, what = ''): number => {
    let i = from
    const quarter = Math.max(1, Math.ceil(w.ops.length / 4))
    for (; i < w.ops.length; i++) {
      const op = w.ops[i]
      if (op === undefined || base + op.at > until) break
      if (base + op.at > clock.now()) clock.advance(base + op.at - clock.now())
      doOp(op)
      if (what !== '' && (i + 1) % quarter === 0) progress(`${what} ${i + 1}/${w.ops.length} ops`)
    }
    if (until > clock.now() && Number.isFinite(until)) clock.advance(until - clock.now())
    return i
  }
  const probe = (): void => {
    const consumer = [...Array(spec.n).keys()].reverse().find((d) => sys.isAlive(d))
    if (consumer === undefined) return
    const request = `probe${probes++}`
    book.sent(request, consumer, sys.incarnation(consumer), clock.now())
    sys.dequeue(consumer, request)
  }
  const workloadOf = (ops: number, seed: number): Workload => generateWorkload({
    devices: spec.n, consumers: defaultConsumers(spec.n), payloadBytes: spec.payloadBytes, ops, opsPerSecond: spec.opsPerSecond, enqueueShare: 0.6, seed
  })

  // Idle.
  let idleTrafficPerSec = emptyTraffic()
  let wireIdleBytesPerSec = 0
  if (spec.idleMs > 0) {
    progress('idle')
    const before = sys.traffic()
    const wireBefore = sys.networkBytes()
    clock.advance(spec.idleMs)
    idleTrafficPerSec = scaleTraffic(subTraffic(sys.traffic(), before), 1000 / spec.idleMs)
    wireIdleBytesPerSec = (sys.networkBytes() - wireBefore) * 1000 / spec.idleMs
  }

  // Workload.
  const w = workloadOf(spec.ops, spec.seed)
  const base = clock.now()
  const before = sys.traffic()
  const wireBefore = sys.networkBytes()
  playUntil(w, base, 0, Infinity, 'workload')
  const others = spec.n - 1
  const done = (): boolean =>
    [...book.enqueues.values()].every((e) => e.seenBy >= others) && [...book.dequeues.values()].every((d) => d.ackAt !== undefined)
  const deadline = clock.now() + 5000
  while (!done() && clock.now() < deadline) clock.advance(STEP_MS)
  if (!done()) notes.push('workload: not every effect was seen everywhere within 5 s')
  const workloadEnd = clock.now()
  const workloadTraffic = subTraffic(sys.traffic(), before)
  const total = trafficTotal(workloadTraffic)
  const wireBytes = sys.networkBytes() - wireBefore
  const enqueueVisibleMs = book.visibleToAllMs(others, base, workloadEnd)
  const dequeueAnsweredMs = book.answeredMs(base, workloadEnd)

  // Failover: kill the server while the workload goes on.
  let failover: FailoverResult | undefined
  let failback: FailbackResult | undefined
  let killAt = Infinity
  if (spec.failover) {
    progress('failover')
    const random = seededRandom(spec.seed ^ 0xfa11)
    const killOffset = 200 + Math.round(random.next() * 100)
    const w2 = workloadOf(Math.round(((killOffset + FAILOVER_WINDOW_MS) / 1000) * spec.opsPerSecond), spec.seed + 7919)
    const base2 = clock.now()
    const next = playUntil(w2, base2, 0, base2 + killOffset)
    killAt = clock.now()
    const atKill = sys.traffic()
    const victim = sys.killServer()
    probe()
    const series: Array<{ t: number; traffic: Traffic }> = [{ t: killAt, traffic: atKill }]
    let i = next
    while (clock.now() < killAt + FAILOVER_WINDOW_MS) {
      i = playUntil(w2, base2, i, Math.min(clock.now() + STEP_MS, killAt + FAILOVER_WINDOW_MS))
      series.push({ t: clock.now(), traffic: sys.traffic() })
    }
    failover = failoverResult(sys, book, victim, killAt, series)
    if (spec.failback && sys.restartKilled()) {
      progress('failback')
      failback = runFailback(sys, book, victim, clock.now(), probe)
    }
  }

  progress('settle')
  clock.advance(SETTLE_MS)
  const alive = (d: number, inc: number): boolean => sys.isAlive(d) && sys.incarnation(d) === inc
  const final = sys.finalEntries()
  let entriesLost: number | null = null
  if (final !== undefined) {
    entriesLost = [...book.enqueues.values()].filter((e) => e.at < killAt && alive(e.device, e.incarnation) && !final.has(e.entry)).length
  }
  const ops = w.ops.length
  return {
    system: spec.system, mode: 'sim', n: spec.n, payloadBytes: spec.payloadBytes, seed: spec.seed, opsPerSecond: spec.opsPerSecond,
    enqueues: w.ops.filter((o) => o.kind === 'enqueue').length,
    dequeues: w.ops.filter((o) => o.kind === 'dequeue').length,
    workloadMs: workloadEnd - base,
    workloadTraffic,
    wire: 'frames',
    framingBytes: 0,
    bytesPerOp: ops === 0 ? 0 : total / ops,
    bytesPerOpExclLiveness: ops === 0 ? 0 : (total - workloadTraffic.liveness) / ops,
    idleTrafficPerSec,
    idleBytesPerSec: trafficTotal(idleTrafficPerSec),
    wireBytesPerOp: ops === 0 ? 0 : wireBytes / ops,
    wireIdleBytesPerSec,
    enqueueVisibleMs,
    dequeueAnsweredMs,
    ...(failover === undefined ? {} : { failover, failoverSamples: [failover] }),
    ...(failback === undefined ? {} : { failback, failbackSamples: [failback] }),
    integrity: { requestsLost: book.unanswered(alive, killAt).length, duplicates: book.duplicateHandOuts(), entriesLost },
    wallMs: performance.now() - wallStart,
    notes
  }
}

function failoverResult(
  sys: SimQueueSystem, book: OpBook, victim: string, killAt: number, series: ReadonlyArray<{ t: number; traffic: Traffic }>
): FailoverResult {
  const role = sys.roleTimes(killAt, victim)
  const first = book.firstAnswerAfter(killAt, victim)
  const firstServedMs = first?.ackAt === undefined ? null : first.ackAt - killAt
  const repointMs = role.repointedAt === null ? null : role.repointedAt - killAt
  const outage = firstServedMs === null || role.server === null
  const windowEnd = series[series.length - 1]?.t ?? killAt
  const end = outage ? windowEnd : killAt + Math.max(firstServedMs ?? 0, repointMs ?? FAILOVER_WINDOW_MS)
  const at = series.find((s) => s.t >= end) ?? series[series.length - 1]
  const recoveryTraffic = at === undefined ? emptyTraffic() : subTraffic(at.traffic, series[0]?.traffic ?? emptyTraffic())
  // A request sent in the window's last half second may simply not be answered yet: not counted.
  const unserved = [...book.dequeues.values()].filter((d) => d.sentAt >= killAt && d.sentAt <= windowEnd - 500 && d.ackAt === undefined).length
  return {
    how: 'crash',
    outage,
    detectionMs: role.detectedAt === null ? null : role.detectedAt - killAt,
    firstServedMs,
    repointMs,
    windowMs: windowEnd - killAt,
    recoveryTraffic,
    recoveryBytes: trafficTotal(recoveryTraffic),
    unserved,
    newServer: role.server,
    pointsAt: sys.pointsAt()
  }
}

function runFailback(sys: SimQueueSystem, book: OpBook, victim: string, restartAt: number, probe: () => void): FailbackResult {
  const clock = sys.clock
  const before = sys.traffic()
  let lastProbe = -Infinity
  const served = (): boolean => {
    const a = book.firstAnswerAfter(restartAt)
    return a !== undefined && [...book.dequeues.values()].some((d) => d.ackAt !== undefined && d.ackAt >= restartAt && d.servedBy === victim)
  }
  while (clock.now() < restartAt + FAILBACK_MAX_MS) {
    if (clock.now() - lastProbe >= 250) {
      probe()
      lastProbe = clock.now()
    }
    clock.advance(STEP_MS)
    if (sys.server() === victim && sys.roleTimes(restartAt, victim).repointedAt !== null && served()) break
  }
  let firstServedAt: number | null = null
  for (const d of book.dequeues.values()) {
    if (d.ackAt !== undefined && d.ackAt >= restartAt && d.servedBy === victim && (firstServedAt === null || d.ackAt < firstServedAt)) firstServedAt = d.ackAt
  }
  const role = sys.roleTimes(restartAt, victim)
  const repointedAt = role.server === victim ? role.repointedAt : null
  const traffic = subTraffic(sys.traffic(), before)
  return {
    firstServedMs: firstServedAt === null ? null : firstServedAt - restartAt,
    repointMs: repointedAt === null ? null : repointedAt - restartAt,
    traffic,
    bytes: trafficTotal(traffic)
  }
}
