import type { RunMode } from '../measure/RunResult.js'
import { SystemId } from '../systems/SystemId.js'
import { TARGETS } from './headline.js'
import { fmt } from './markdownTable.js'
import { findRecord, type MetricRecord } from './metricRecords.js'
import type { StudyRun } from './StudyRun.js'

/** Where sship's bytes per operation exceed client-server's in one cell of the grid. */
export interface BytesExcess {
  readonly mode: RunMode
  readonly n: number
  readonly payloadBytes: number
  /** sship ÷ client-server bytes per operation. */
  readonly ratio: number
  /** sship minus client-server, bytes per operation, in total and by category. */
  readonly excess: number
  readonly liveness: number
  readonly requests: number
  readonly sync: number
  readonly other: number
  /** Request traffic per dequeue and per peer that receives it: sship (n − 1 peers), client-server (n clients). */
  readonly sshipRequestBytesPerDequeuePerPeer: number | null
  readonly csRequestBytesPerDequeuePerPeer: number | null
}

/**
 * The cells of the grid where sship sends more than {@link TARGETS.bytesPerOpRatioVsClientServer}
 * times client-server's bytes per operation, each with the difference split by category (from
 * the same records the tables show) and the request bytes per dequeue per receiving peer.
 */
export function bytesExcess(records: readonly MetricRecord[], runs: readonly StudyRun[]): BytesExcess[] {
  const out: BytesExcess[] = []
  for (const r of records) {
    if (r.system !== SystemId.Sship || r.metric !== 'bytesPerOp' || r.p50 === null) continue
    const q = { mode: r.mode, n: r.n, payloadBytes: r.payloadBytes }
    const of = (system: SystemId, metric: string): number => findRecord(records, { system, ...q, metric })?.p50 ?? 0
    const cs = of(SystemId.ClientServer, 'bytesPerOp')
    if (cs <= 0 || r.p50 / cs <= TARGETS.bytesPerOpRatioVsClientServer) continue
    const diff = (metric: string): number => of(SystemId.Sship, metric) - of(SystemId.ClientServer, metric)
    const perDequeue = (system: SystemId, peers: number): number | null => {
      const study = runs.find((x) => x.purpose === 'study' && x.result.system === system && x.result.mode === r.mode && x.result.n === r.n && x.result.payloadBytes === r.payloadBytes)
      const d = study?.result.dequeues ?? 0
      return study === undefined || d === 0 || peers <= 0 ? null : study.result.workloadTraffic.requests / d / peers
    }
    const excess = r.p50 - cs
    const liveness = diff('bytesPerOp.liveness')
    const requests = diff('bytesPerOp.requests')
    const sync = diff('bytesPerOp.sync')
    out.push({
      ...q, ratio: r.p50 / cs, excess, liveness, requests, sync, other: excess - liveness - requests - sync,
      sshipRequestBytesPerDequeuePerPeer: perDequeue(SystemId.Sship, r.n - 1),
      csRequestBytesPerDequeuePerPeer: perDequeue(SystemId.ClientServer, r.n)
    })
  }
  return out
}

/** One sentence per cell of {@link bytesExcess}, for the report. */
export function bytesExcessText(cells: readonly BytesExcess[]): string {
  return cells.map((c) => {
    const share = (v: number): string => `${fmt(v)} B (${fmt((100 * v) / c.excess)} %)`
    return `${fmt(c.ratio, 2)}× at ${c.mode}, n = ${c.n}, ${c.payloadBytes} B: sship sends ${fmt(c.excess)} B/op more, of which liveness ${share(c.liveness)}, ` +
      `requests and decisions ${share(c.requests)}, sync ${share(c.sync)}, other ${share(c.other)}; request traffic per dequeue per receiving peer ` +
      `${fmt(c.sshipRequestBytesPerDequeuePerPeer)} B (sship) vs ${fmt(c.csRequestBytesPerDequeuePerPeer)} B (client-server)`
  }).join('; ')
}
