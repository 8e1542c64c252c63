import { SystemId } from '../systems/SystemId.js'
import type { FitSummary, Headline } from './headline.js'
import { TARGETS } from './headline.js'
import { fmt, fmtBytes, markdownTable } from './markdownTable.js'
import { findRecord, type MetricRecord } from './metricRecords.js'
import type { StudyRun } from './StudyRun.js'

/**
 * The report's "Scaling in n" section: one row per simulated n (1 KiB) with sship's bytes per
 * operation and their split, idle traffic, failover times and recovery bytes, losses, and what
 * the run cost in wall time; then the line fitted to idle traffic and the spread of failover
 * time over n. Empty when the simulation did not run.
 */
export function scalingSection(h: Headline, records: readonly MetricRecord[], runs: readonly StudyRun[]): string[] {
  const sim = (system: SystemId, n: number, metric: string): MetricRecord | undefined =>
    findRecord(records, { system, mode: 'sim', n, payloadBytes: 1024, metric })
  const ns = [...new Set(records.filter((r) => r.mode === 'sim' && r.payloadBytes === 1024 && r.metric === 'bytesPerOp' && r.system === SystemId.Sship).map((r) => r.n))]
    .sort((a, b) => a - b)
  if (ns.length === 0) return []
  const out: string[] = ['## Scaling in n (simulation, 1 KiB payload)', '']
  out.push('One study run per system and n (plus the failover trials of `FULL_TRIALS` for the failover columns). sship columns unless named. ' +
    '"wall s" is what simulating that sship run took on this machine (every device\'s CPU on one core), not a protocol time.', '')
  const rows = ns.map((n) => {
    const p = (metric: string, system: SystemId = SystemId.Sship): number | null => sim(system, n, metric)?.p50 ?? null
    const ss = p('bytesPerOp')
    const cs = p('bytesPerOp', SystemId.ClientServer)
    const study = runs.filter((r) => r.purpose === 'study' && r.result.mode === 'sim' && r.result.system === SystemId.Sship && r.result.n === n && r.result.payloadBytes === 1024)
    const lost = study.reduce((a, r) => a + r.result.integrity.requestsLost + (r.result.integrity.entriesLost ?? 0), 0)
    const dup = study.reduce((a, r) => a + r.result.integrity.duplicates, 0)
    const wall = study.reduce((a, r) => a + r.result.wallMs, 0) / 1000
    const kills = sim(SystemId.Sship, n, 'failover.firstServedMs')?.count ?? 0
    const idleLive = p('idleLivenessBytesPerSec')
    return [String(n), fmtBytes(ss), fmtBytes(p('bytesPerOp.sync')), fmtBytes(p('bytesPerOp.liveness')), fmtBytes(p('bytesPerOp.requests')),
      fmtBytes(cs), fmt(ss !== null && cs ? ss / cs : null, 3), fmt(p('idleBytesPerSec')), fmt(idleLive), fmt(idleLive === null ? null : idleLive / n, 1),
      fmt(p('failover.detectionMs'), 1), `${fmt(p('failover.firstServedMs'), 1)} (${kills})`, fmt(p('failover.repointMs'), 1), fmtBytes(p('failover.recoveryBytes')),
      `${lost} / ${dup}`, fmt(wall, 1)]
  })
  out.push(markdownTable(['n', 'B/op', 'sync', 'liveness', 'requests', 'c-s B/op', 'ratio', 'idle B/s', 'idle liveness B/s', 'per device',
    'detected p50 ms', 'first served p50 ms (kills)', 're-pointed p50 ms', 'recovery bytes p50', 'lost / dup', 'wall s'], rows), '')
  out.push(`- **Idle traffic against n**: ${fitText(h.idleFit)}; liveness alone: ${fitText(h.idleLivenessFit)}. ` +
    `Counted as linear when R² ≥ ${TARGETS.idleLinearR2} and the added bytes/s per device vary by at most 25 % between consecutive sizes: ` +
    `${h.targetsMet.idleLinearInN === null ? 'not measured' : h.targetsMet.idleLinearInN ? 'linear' : '**not linear**'}.`)
  out.push(`- **Failover time against n**: first served p50 ${Object.entries(h.failoverP50ByN).map(([n, v]) => `${fmt(v, 1)} ms (n = ${n})`).join(', ')}; ` +
    `slowest ÷ fastest = ${fmt(h.failoverSpreadVsN, 3)} (flat when ≤ ${TARGETS.failoverFlatFactor}: ` +
    `${h.targetsMet.failoverFlatInN === null || h.targetsMet.failoverFlatInN === undefined ? 'not measured' : h.targetsMet.failoverFlatInN ? 'flat' : '**not flat**'}). ` +
    'Detection is a timeout (no heartbeat for the suspicion timeout), the same for every n. The first successor then asks every reachable ' +
    'peer for what it lacks and claims when all answered (at most 60 ms later): in simulation the answers come back within two frame ' +
    'latencies whatever n, so the time stays flat, while the bytes grow (recovery bytes: n − 1 catch-up exchanges, then the new term ' +
    'and heartbeats to every follower). The simulation has no CPU cost: a real successor handles n − 1 catch-up replies and a real ' +
    'coordinator sends n − 1 heartbeats per round, so on devices the time will grow with n by that processing.', '')
  return out
}

function fitText(f: FitSummary | null): string {
  if (f === null) return 'not measured'
  return `${fmt(f.intercept)} + ${fmt(f.perDevice, 1)}·n B/s (least squares over n = ${f.ns.join(', ')}; R² = ${fmt(f.r2, 5)})`
}
