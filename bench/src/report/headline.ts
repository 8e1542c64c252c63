import { SystemId } from '../systems/SystemId.js'
import { captureSummary } from './captureSection.js'
import { linearFit } from './linearFit.js'
import { findRecord, type MetricRecord } from './metricRecords.js'
import type { StudyRun } from './StudyRun.js'

/** The targets of the study (issue F). */
export const TARGETS = {
  failoverP50Ms: 300,
  failoverP99Ms: 600,
  bytesPerOpRatioVsClientServer: 1.3,
  ftOverheadRatio: 1.1,
  /** Idle traffic counts as linear in n when a line fits it at least this well. */
  idleLinearR2: 0.99,
  /** Failover counts as flat in n when the slowest n's p50 is within this factor of the fastest's. */
  failoverFlatFactor: 1.25
} as const

/** A least-squares line over n, rounded for the report. */
export interface FitSummary {
  /** Bytes per second each added device adds (the slope). */
  readonly perDevice: number
  /** The line's value at n = 0. */
  readonly intercept: number
  readonly r2: number
  /** The n values fitted. */
  readonly ns: readonly number[]
}

/** The last line the bench prints: the numbers the issue asks for, and where they come from. */
export interface Headline {
  /** Kill → first dequeue answered by the new coordinator, sship, simulation (silent crash), n = 20. */
  readonly failoverP50Ms: number | null
  readonly failoverP99Ms: number | null
  readonly failoverSamples: number
  /** Kill → every device points at the new coordinator, same runs. */
  readonly repointP50Ms: number | null
  readonly repointP99Ms: number | null
  readonly detectionP50Ms: number | null
  /** The same on real processes at {@link Headline.realN}: SIGKILL (sockets close) and SIGSTOP (silent). */
  readonly realN: number | null
  readonly realFailoverSigkillP50Ms: number | null
  readonly realFailoverSigstopP50Ms: number | null
  readonly realFailoverSamples: number
  /** sship ÷ client-server bytes per queue operation, simulation, n = 20, 1 KiB. */
  readonly bytesPerOpRatioVsClientServer: number | null
  /** The same on real processes (socket bytes) at {@link Headline.realN}. */
  readonly realBytesPerOpRatioVsClientServer: number | null
  /** sship ÷ no-fault-tolerance bytes per operation, simulation, n = 20, 1 KiB. */
  readonly ftOverheadRatio: number | null
  readonly realFtOverheadRatio: number | null
  /** Idle bytes per second of sship at n = 50 (simulation). */
  readonly idleBytesPerSecN50: number | null
  /** Idle bytes per second per device of sship, by n (simulation). */
  readonly idleBytesPerSecPerDevice: Readonly<Record<string, number>>
  /**
   * What each added device adds to sship's idle bytes per second, between consecutive sizes
   * (`"5-10"`, …; simulation): constant when idle traffic is linear in n.
   */
  readonly idleMarginalBytesPerSecPerDevice: Readonly<Record<string, number>>
  /** Least-squares line of sship's idle bytes/s against n (simulation, every n), and of its liveness part. */
  readonly idleFit: FitSummary | null
  readonly idleLivenessFit: FitSummary | null
  /** sship, simulation, 1 KiB, by n: kill → first dequeue served, p50 (study run and trials pooled). */
  readonly failoverP50ByN: Readonly<Record<string, number>>
  /** The same for kill → every device re-pointed, and kill → first suspicion. */
  readonly repointP50ByN: Readonly<Record<string, number>>
  readonly detectionP50ByN: Readonly<Record<string, number>>
  /** Slowest ÷ fastest of {@link Headline.failoverP50ByN}. */
  readonly failoverSpreadVsN: number | null
  /** Real runs at n = 20: largest |tshark capture − socket counters| ÷ counters, or null (see {@link Headline.captureSkipped}). */
  readonly captureRelativeDifference: number | null
  /** Every checked capture lay between the counter readings inside and outside its window (null: none checked). */
  readonly captureWithinBracket: boolean | null
  /** Why the capture check was skipped (tshark absent), or null. */
  readonly captureSkipped: string | null
  /** Over every sship run: dequeues never answered and entries missing from the serving replica. */
  readonly lost: number
  /** Over every sship run: entries handed out twice. */
  readonly duplicates: number
  /** Which targets were met. */
  readonly targetsMet: Readonly<Record<string, boolean | null>>
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : Math.round((a / b) * 1000) / 1000

/** Computes the headline from the records and raw runs. */
export function headline(records: readonly MetricRecord[], runs: readonly StudyRun[]): Headline {
  const sim = (system: SystemId, metric: string, n = 20, payloadBytes = 1024): MetricRecord | undefined =>
    findRecord(records, { system, mode: 'sim', n, payloadBytes, metric })
  const realNs = [...new Set(runs.filter((r) => r.result.mode === 'real' && r.result.system === SystemId.Sship).map((r) => r.result.n))]
  const realN = realNs.filter((n) => n <= 20).sort((a, b) => b - a)[0] ?? realNs.sort((a, b) => a - b)[0] ?? null
  const real = (system: SystemId, metric: string): MetricRecord | undefined =>
    realN === null ? undefined : findRecord(records, { system, mode: 'real', n: realN, payloadBytes: 1024, metric })
  const fo = sim(SystemId.Sship, 'failover.firstServedMs')
  const rp = sim(SystemId.Sship, 'failover.repointMs')
  const perDevice: Record<string, number> = {}
  const marginal: Record<string, number> = {}
  const idle = records
    .filter((r) => r.system === SystemId.Sship && r.mode === 'sim' && r.payloadBytes === 1024 && r.metric === 'idleBytesPerSec' && r.p50 !== null)
    .sort((a, b) => a.n - b.n)
  idle.forEach((r, i) => {
    perDevice[String(r.n)] = Math.round(((r.p50 ?? 0) / r.n) * 10) / 10
    const prev = idle[i - 1]
    if (prev !== undefined) marginal[`${prev.n}-${r.n}`] = Math.round((((r.p50 ?? 0) - (prev.p50 ?? 0)) / (r.n - prev.n)) * 10) / 10
  })
  const slopes = Object.values(marginal)
  const fitOf = (metric: string): FitSummary | null => {
    const rs = records.filter((r) => r.system === SystemId.Sship && r.mode === 'sim' && r.payloadBytes === 1024 && r.metric === metric && r.p50 !== null)
    const fit = linearFit(rs.map((r) => [r.n, r.p50 ?? 0] as const))
    return fit === null ? null : { perDevice: round(fit.slope) ?? 0, intercept: round(fit.intercept) ?? 0, r2: Math.round(fit.r2 * 1e5) / 1e5, ns: rs.map((r) => r.n).sort((a, b) => a - b) }
  }
  const idleFit = fitOf('idleBytesPerSec')
  const linear = slopes.length === 0 || idleFit === null ? null : Math.max(...slopes) <= 1.25 * Math.min(...slopes) && idleFit.r2 >= TARGETS.idleLinearR2
  const byN = (metric: string): Record<string, number> => {
    const out: Record<string, number> = {}
    for (const r of records) {
      if (r.system === SystemId.Sship && r.mode === 'sim' && r.payloadBytes === 1024 && r.metric === metric && r.p50 !== null) out[String(r.n)] = round(r.p50) ?? 0
    }
    return out
  }
  const capture = captureSummary(runs)
  const servedByN = byN('failover.firstServedMs')
  const served = Object.values(servedByN)
  const spread = served.length < 2 || Math.min(...served) <= 0 ? null : Math.round((Math.max(...served) / Math.min(...served)) * 1000) / 1000
  let lost = 0
  let duplicates = 0
  for (const { result: r } of runs) {
    if (r.system !== SystemId.Sship) continue
    lost += r.integrity.requestsLost + (r.integrity.entriesLost ?? 0)
    duplicates += r.integrity.duplicates
  }
  const bytesRatio = ratio(sim(SystemId.Sship, 'bytesPerOp')?.p50, sim(SystemId.ClientServer, 'bytesPerOp')?.p50)
  const ftRatio = ratio(sim(SystemId.Sship, 'bytesPerOp')?.p50, sim(SystemId.NoFaultTolerance, 'bytesPerOp')?.p50)
  const kill = real(SystemId.Sship, 'failover.firstServedMs.SIGKILL')
  const stop = real(SystemId.Sship, 'failover.firstServedMs.SIGSTOP')
  const p50 = fo?.p50 ?? null
  const p99 = fo?.p99 ?? null
  return {
    failoverP50Ms: round(p50),
    failoverP99Ms: round(p99),
    failoverSamples: fo?.count ?? 0,
    repointP50Ms: round(rp?.p50),
    repointP99Ms: round(rp?.p99),
    detectionP50Ms: round(sim(SystemId.Sship, 'failover.detectionMs')?.p50),
    realN,
    realFailoverSigkillP50Ms: round(kill?.p50),
    realFailoverSigstopP50Ms: round(stop?.p50),
    realFailoverSamples: (kill?.count ?? 0) + (stop?.count ?? 0),
    bytesPerOpRatioVsClientServer: bytesRatio,
    realBytesPerOpRatioVsClientServer: ratio(real(SystemId.Sship, 'bytesPerOp')?.p50, real(SystemId.ClientServer, 'bytesPerOp')?.p50),
    ftOverheadRatio: ftRatio,
    realFtOverheadRatio: ratio(real(SystemId.Sship, 'bytesPerOp')?.p50, real(SystemId.NoFaultTolerance, 'bytesPerOp')?.p50),
    idleBytesPerSecN50: round(sim(SystemId.Sship, 'idleBytesPerSec', 50)?.p50),
    idleBytesPerSecPerDevice: perDevice,
    idleMarginalBytesPerSecPerDevice: marginal,
    idleFit,
    idleLivenessFit: fitOf('idleLivenessBytesPerSec'),
    failoverP50ByN: servedByN,
    repointP50ByN: byN('failover.repointMs'),
    detectionP50ByN: byN('failover.detectionMs'),
    failoverSpreadVsN: spread,
    captureRelativeDifference: capture.maxRelativeDifference === null ? null : Math.round(capture.maxRelativeDifference * 1e5) / 1e5,
    captureWithinBracket: capture.withinBracket,
    captureSkipped: capture.skipped,
    lost,
    duplicates,
    targetsMet: {
      failoverP50: p50 === null ? null : p50 <= TARGETS.failoverP50Ms,
      failoverP99: p99 === null ? null : p99 <= TARGETS.failoverP99Ms,
      bytesPerOp: bytesRatio === null ? null : bytesRatio <= TARGETS.bytesPerOpRatioVsClientServer,
      ftOverhead: ftRatio === null ? null : ftRatio <= TARGETS.ftOverheadRatio,
      idleLinearInN: linear,
      failoverFlatInN: spread === null ? null : spread <= TARGETS.failoverFlatFactor,
      noLossNoDuplicates: lost === 0 && duplicates === 0
    }
  }
}

function round(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : Math.round(v * 10) / 10
}
