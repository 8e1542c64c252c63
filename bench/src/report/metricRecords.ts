import type { RunMode, RunResult } from '../measure/RunResult.js'
import { summarize, type Summary } from '../measure/summarize.js'
import { threeWaySplit } from '../measure/Traffic.js'
import type { SystemId } from '../systems/SystemId.js'
import type { StudyRun } from './StudyRun.js'

/** One line of `results.json`: one metric of one system × mode × n × payload, with its raw samples. */
export interface MetricRecord extends Summary {
  readonly system: SystemId
  readonly mode: RunMode
  readonly n: number
  readonly payloadBytes: number
  readonly metric: string
  readonly unit: string
  readonly samples: readonly number[]
}

type Samples = Array<[metric: string, unit: string, values: number[]]>

const num = (v: number | null | undefined): number[] => (v === null || v === undefined ? [] : [v])

/** The metrics a study run contributes (everything). */
function studyMetrics(r: RunResult): Samples {
  const ops = r.enqueues + r.dequeues
  const split = threeWaySplit(r.workloadTraffic)
  const per = (v: number): number[] => (ops === 0 ? [] : [v / ops])
  return [
    ['bytesPerOp', 'B', [r.bytesPerOp]],
    ['bytesPerOpExclLiveness', 'B', [r.bytesPerOpExclLiveness]],
    ['bytesPerOp.sync', 'B', per(split.sync)],
    ['bytesPerOp.liveness', 'B', per(split.liveness)],
    ['bytesPerOp.requests', 'B', per(split.requests)],
    ['bytesPerOp.control', 'B', per(split.control)],
    ['bytesPerOp.framing', 'B', per(r.framingBytes)],
    ['idleBytesPerSec', 'B/s', [r.idleBytesPerSec]],
    ['idleLivenessBytesPerSec', 'B/s', [r.idleTrafficPerSec.liveness]],
    ['enqueueVisibleMs', 'ms', [...r.enqueueVisibleMs]],
    ['dequeueAnsweredMs', 'ms', [...r.dequeueAnsweredMs]],
    ...failbackMetrics(r),
    ['requestsLost', 'count', [r.integrity.requestsLost]],
    ['duplicates', 'count', [r.integrity.duplicates]],
    ['entriesLost', 'count', num(r.integrity.entriesLost)]
  ]
}

function failoverMetrics(r: RunResult): Samples {
  const fs = r.failoverSamples ?? []
  const out: Samples = [
    ['failover.outage', '0/1', fs.map((f) => (f.outage ? 1 : 0))],
    ['failover.unserved', 'count', fs.map((f) => f.unserved)]
  ]
  for (const how of ['crash', 'SIGKILL', 'SIGSTOP'] as const) {
    const h = fs.filter((f) => f.how === how)
    if (h.length === 0) continue
    const suffix = how === 'crash' ? '' : `.${how}`
    out.push(
      [`failover.detectionMs${suffix}`, 'ms', h.flatMap((f) => num(f.detectionMs))],
      [`failover.firstServedMs${suffix}`, 'ms', h.flatMap((f) => num(f.firstServedMs))],
      [`failover.repointMs${suffix}`, 'ms', h.flatMap((f) => num(f.repointMs))],
      [`failover.recoveryBytes${suffix}`, 'B', h.flatMap((f) => (f.outage ? [] : [f.recoveryBytes]))],
      [`failover.recoveryOverheadBytes${suffix}`, 'B', h.flatMap((f) => (f.outage ? [] : [f.recoveryTraffic.liveness + f.recoveryTraffic.control + f.recoveryTraffic.repair]))]
    )
  }
  return out
}

function failbackMetrics(r: RunResult): Samples {
  const bs = r.failbackSamples ?? []
  if (bs.length === 0) return []
  return [
    ['failback.firstServedMs', 'ms', bs.flatMap((b) => num(b.firstServedMs))],
    ['failback.repointMs', 'ms', bs.flatMap((b) => num(b.repointMs))],
    ['failback.bytes', 'B', bs.map((b) => b.bytes)]
  ]
}

/**
 * Flattens runs into metric records: samples of the same system × mode × n × payload × metric
 * are pooled (failover trials add only failover samples). Sorted for stable output.
 */
export function metricRecords(runs: readonly StudyRun[]): MetricRecord[] {
  const groups = new Map<string, { r: RunResult; samples: Map<string, { unit: string; values: number[] }> }>()
  for (const { purpose, result: r } of runs) {
    const key = `${r.system}|${r.mode}|${r.n}|${r.payloadBytes}`
    let g = groups.get(key)
    if (g === undefined) {
      g = { r, samples: new Map() }
      groups.set(key, g)
    }
    const metrics = purpose === 'study' ? [...studyMetrics(r), ...failoverMetrics(r)] : failoverMetrics(r)
    for (const [metric, unit, values] of metrics) {
      const m = g.samples.get(metric) ?? { unit, values: [] }
      m.values.push(...values)
      g.samples.set(metric, m)
    }
  }
  const out: MetricRecord[] = []
  for (const { r, samples } of groups.values()) {
    for (const [metric, { unit, values }] of samples) {
      const s = summarize(values)
      out.push({ system: r.system, mode: r.mode, n: r.n, payloadBytes: r.payloadBytes, metric, unit, ...s, samples: values.map((v) => Math.round(v * 1000) / 1000) })
    }
  }
  return out.sort((a, b) =>
    a.mode.localeCompare(b.mode) || a.system.localeCompare(b.system) || a.n - b.n || a.payloadBytes - b.payloadBytes || a.metric.localeCompare(b.metric))
}

/** Looks up one record. */
export function findRecord(
  records: readonly MetricRecord[], q: { system: SystemId; mode: RunMode; n: number; payloadBytes: number; metric: string }
): MetricRecord | undefined {
  return records.find((r) => r.system === q.system && r.mode === q.mode && r.n === q.n && r.payloadBytes === q.payloadBytes && r.metric === q.metric)
}
