import type { RunMode } from '../measure/RunResult.js'
import { SYSTEMS, SystemId } from '../systems/SystemId.js'
import type { ChartFile } from './charts.js'
import { TARGETS, type Headline } from './headline.js'
import { markdownTable, fmt, fmtBytes } from './markdownTable.js'
import { findRecord, type MetricRecord } from './metricRecords.js'
import { captureSection } from './captureSection.js'
import { misses } from './misses.js'
import { scalingSection } from './scalingSection.js'
import type { StudyRun } from './StudyRun.js'

/** What the report says about how the study was run. */
export interface ReportContext {
  readonly startedAt: string
  readonly quick: boolean
  readonly wallSeconds: number | null
  readonly machine: string
  readonly opsPerSecond: number
  readonly ops: number
}

/** `report.md`: the setup, the headline against the targets, one table per question, the charts, and the misses. */
export function reportMarkdown(ctx: ReportContext, h: Headline, records: readonly MetricRecord[], runs: readonly StudyRun[], charts: readonly ChartFile[]): string {
  const get = (system: SystemId, mode: RunMode, n: number, metric: string, payloadBytes = 1024): MetricRecord | undefined =>
    findRecord(records, { system, mode, n, payloadBytes, metric })
  const ns = (mode: RunMode, payloadBytes = 1024): number[] =>
    [...new Set(records.filter((r) => r.mode === mode && r.payloadBytes === payloadBytes && r.metric === 'bytesPerOp').map((r) => r.n))].sort((a, b) => a - b)
  const payloads = [...new Set(records.filter((r) => r.metric === 'bytesPerOp' && r.mode === 'sim').map((r) => r.payloadBytes))].sort((a, b) => a - b)
  const out: string[] = []
  out.push(`# sship evaluation study (${ctx.quick ? 'quick' : 'full'})`, '')
  out.push(`Started ${ctx.startedAt}; took ${fmt(ctx.wallSeconds)} s on ${ctx.machine}.`, '')
  out.push(
    `Workload: a queue; one device in five consumes (at least one), the others produce; operations at uniformly random (seeded) times, ` +
    `${ctx.opsPerSecond} operations/s over the whole app, 60 % enqueues; ${ctx.ops} operations per measured run. ` +
    'Systems: **client-server** (a central y-websocket server; n clients, plus the server machine), **no-ft** (sship, one host, `failover: false`), ' +
    '**sship** (defaults, every device eligible). Simulation: core\'s in-memory network under virtual time (1–5 ms latency per frame), bytes of every frame. ' +
    'Real: one OS process per device on 127.0.0.1, bytes written to TCP sockets (WebSocket framing included). See bench/README.md for the definitions.', '')

  out.push('## Headline against the targets', '')
  out.push(markdownTable(['metric', 'measured', 'target', 'met'], [
    ['failover p50 (kill → first dequeue served), sim n=20', `${fmt(h.failoverP50Ms)} ms (${h.failoverSamples} kills)`, `≤ ${TARGETS.failoverP50Ms} ms`, yes(h.targetsMet.failoverP50)],
    ['failover p99, sim n=20', `${fmt(h.failoverP99Ms)} ms`, `≤ ${TARGETS.failoverP99Ms} ms`, yes(h.targetsMet.failoverP99)],
    ['re-pointed p50 / p99, sim n=20', `${fmt(h.repointP50Ms)} / ${fmt(h.repointP99Ms)} ms`, '', ''],
    [`failover p50, real n=${h.realN ?? '—'}: SIGKILL / SIGSTOP`, `${fmt(h.realFailoverSigkillP50Ms)} / ${fmt(h.realFailoverSigstopP50Ms)} ms (${h.realFailoverSamples} kills)`, '', ''],
    ['bytes/op sship ÷ client-server, sim n=20, 1 KiB', fmt(h.bytesPerOpRatioVsClientServer, 3), `≤ ${TARGETS.bytesPerOpRatioVsClientServer}`, yes(h.targetsMet.bytesPerOp)],
    [`bytes/op sship ÷ client-server, real n=${h.realN ?? '—'}`, fmt(h.realBytesPerOpRatioVsClientServer, 3), '', ''],
    ['FT overhead sship ÷ no-ft, sim n=20, 1 KiB', fmt(h.ftOverheadRatio, 3), `≤ ${TARGETS.ftOverheadRatio}`, yes(h.targetsMet.ftOverhead)],
    [`FT overhead sship ÷ no-ft, real n=${h.realN ?? '—'}`, fmt(h.realFtOverheadRatio, 3), '', ''],
    ['idle bytes/s, sship sim n=50', fmt(h.idleBytesPerSecN50), 'linear in n', ''],
    ['idle bytes/s added per device, sship sim, by n', Object.entries(h.idleMarginalBytesPerSecPerDevice).map(([n, v]) => `${n}: ${fmt(v)}`).join(', '), 'constant (linear in n)', yes(h.targetsMet.idleLinearInN)],
    ['idle bytes/s vs n, sship sim: least-squares line', h.idleFit === null ? '—' : `${fmt(h.idleFit.intercept)} + ${fmt(h.idleFit.perDevice, 1)}·n, R² = ${fmt(h.idleFit.r2, 5)} (n = ${h.idleFit.ns.join(', ')})`, `R² ≥ ${TARGETS.idleLinearR2}`, ''],
    ['failover p50 vs n, sship sim: slowest ÷ fastest', `${fmt(h.failoverSpreadVsN, 3)} (n = ${Object.keys(h.failoverP50ByN).join(', ')})`, `flat: ≤ ${TARGETS.failoverFlatFactor}`, yes(h.targetsMet.failoverFlatInN)],
    ['socket counters vs tshark capture on loopback, real n=20', h.captureSkipped ?? (h.captureRelativeDifference === null ? '—' : `max difference ${fmt(h.captureRelativeDifference * 100, 2)} %, within bracket: ${yes(h.captureWithinBracket)}`), 'within bracket', ''],
    ['lost / duplicated (all sship runs)', `${h.lost} / ${h.duplicates}`, '0 / 0', yes(h.targetsMet.noLossNoDuplicates)]
  ]), '')

  for (const mode of ['sim', 'real'] as const) {
    for (const payloadBytes of mode === 'sim' ? payloads : [1024, 64, 16384]) {
      const rows = ns(mode, payloadBytes).map((n) => {
        const v = SYSTEMS.map((s) => get(s, mode, n, 'bytesPerOp', payloadBytes)?.p50)
        const [cs, noft, ss] = v
        return [String(n), ...v.map((x) => fmtBytes(x)), fmt(typeof ss === 'number' && cs ? ss / cs : null, 3), fmt(typeof ss === 'number' && noft ? ss / noft : null, 3)]
      })
      if (rows.length === 0) continue
      out.push(`## Bytes per queue operation, ${mode === 'sim' ? 'simulation' : 'real processes'}, ${payloadBytes} B payload`, '')
      out.push(markdownTable(['n', ...SYSTEMS, 'sship ÷ c-s', 'sship ÷ no-ft'], rows), '')
    }
  }

  out.push('## Where the bytes go (per operation, 1 KiB payload)', '')
  out.push('`sync` = replication of the entries plus sync steps 1/2; `liveness` = heartbeats, acks, views, digests (awareness for y-websocket); `requests` = request, decision and reply updates; `control` = role changes; `framing` = WebSocket headers, hellos and pings (real only).', '')
  const splitRows: string[][] = []
  for (const mode of ['sim', 'real'] as const) {
    for (const n of ns(mode)) {
      for (const s of SYSTEMS) {
        const m = (metric: string): string => fmtBytes(get(s, mode, n, metric)?.p50)
        if (get(s, mode, n, 'bytesPerOp') === undefined) continue
        splitRows.push([mode, String(n), s, m('bytesPerOp.sync'), m('bytesPerOp.liveness'), m('bytesPerOp.requests'), m('bytesPerOp.control'), m('bytesPerOp.framing'), m('bytesPerOp')])
      }
    }
  }
  out.push(markdownTable(['mode', 'n', 'system', 'sync', 'liveness', 'requests', 'control', 'framing', 'total'], splitRows), '')

  out.push('## Operation latency (1 KiB payload)', '')
  out.push('Enqueue: until every other device holds the entry. Dequeue: from the consumer\'s request until it has the answer.', '')
  const latRows: string[][] = []
  for (const mode of ['sim', 'real'] as const) {
    for (const n of ns(mode)) {
      for (const s of SYSTEMS) {
        const e = get(s, mode, n, 'enqueueVisibleMs')
        const d = get(s, mode, n, 'dequeueAnsweredMs')
        if (e === undefined && d === undefined) continue
        latRows.push([mode, String(n), s, fmt(e?.p50, 1), fmt(e?.p99, 1), fmt(d?.p50, 1), fmt(d?.p99, 1)])
      }
    }
  }
  out.push(markdownTable(['mode', 'n', 'system', 'enqueue visible p50 ms', 'p99', 'dequeue answered p50 ms', 'p99'], latRows), '')

  out.push('## Idle traffic (no operations)', '')
  const idleRows: string[][] = []
  for (const mode of ['sim', 'real'] as const) {
    for (const n of ns(mode)) {
      const row = SYSTEMS.map((s) => get(s, mode, n, 'idleBytesPerSec')?.p50)
      idleRows.push([mode, String(n), ...row.map((v) => fmt(v)), fmt(typeof row[2] === 'number' ? row[2] / n : null, 1)])
    }
  }
  out.push(markdownTable(['mode', 'n', ...SYSTEMS.map((s) => `${s} B/s`), 'sship B/s per device'], idleRows), '')

  out.push(...scalingSection(h, records, runs))

  out.push('## Coordinator (or server) kill', '')
  out.push('Times in ms after the kill; the workload goes on meanwhile. Recovery bytes: from the kill until the later of "first served" and "re-pointed"; overhead = liveness + control + repair in that window. An outage means nobody served within the window.', '')
  const foRows: string[][] = []
  for (const mode of ['sim', 'real'] as const) {
    for (const n of [...new Set(records.filter((r) => r.mode === mode && r.metric === 'failover.outage').map((r) => r.n))].sort((a, b) => a - b)) {
      for (const s of SYSTEMS) {
        for (const how of mode === 'sim' ? [''] : ['.SIGKILL', '.SIGSTOP']) {
          const outage = get(s, mode, n, 'failover.outage')
          if (outage === undefined) continue
          const g = (m: string): MetricRecord | undefined => get(s, mode, n, `${m}${how}`)
          const served = g('failover.firstServedMs')
          if (how !== '' && s === SystemId.Sship && served === undefined) continue
          if (how === '.SIGSTOP' && s !== SystemId.Sship) continue
          const outages = outage.samples.filter((x) => x === 1).length
          foRows.push([mode, String(n), s, how === '' ? 'crash' : how.slice(1), String(s === SystemId.Sship ? (served?.count ?? 0) : outage.count),
            fmt(g('failover.detectionMs')?.p50, 1), fmt(served?.p50, 1), fmt(served?.p99, 1), fmt(g('failover.repointMs')?.p50, 1), fmt(g('failover.repointMs')?.p99, 1),
            fmtBytes(g('failover.recoveryBytes')?.p50), fmtBytes(g('failover.recoveryOverheadBytes')?.p50), outages > 0 ? `outage ×${outages}` : 'served'])
        }
      }
    }
  }
  out.push(markdownTable(['mode', 'n', 'system', 'how', 'kills', 'detected p50', 'first served p50', 'p99', 're-pointed p50', 'p99', 'recovery bytes p50', 'overhead p50', 'service'], foRows), '')

  out.push('## Failback (the killed initial host returns with an empty replica)', '')
  const fbRows: string[][] = []
  for (const mode of ['sim', 'real'] as const) {
    for (const r of records.filter((x) => x.mode === mode && x.metric === 'failback.bytes' && x.system === SystemId.Sship).sort((a, b) => a.n - b.n || a.payloadBytes - b.payloadBytes)) {
      const g = (m: string): MetricRecord | undefined => get(SystemId.Sship, mode, r.n, m, r.payloadBytes)
      fbRows.push([mode, String(r.n), String(r.payloadBytes), String(r.count), fmt(g('failback.firstServedMs')?.p50), fmt(g('failback.repointMs')?.p50), fmtBytes(r.p50)])
    }
  }
  out.push(markdownTable(['mode', 'n', 'payload B', 'returns', 'serves again p50 ms', 're-pointed p50 ms', 'bytes p50'], fbRows), '')

  out.push('## Requests lost or duplicated', '')
  const intRows: string[][] = []
  for (const mode of ['sim', 'real'] as const) {
    for (const s of SYSTEMS) {
      const rs = runs.filter((r) => r.result.mode === mode && r.result.system === s).map((r) => r.result)
      if (rs.length === 0) continue
      const sum = (f: (x: (typeof rs)[number]) => number): number => rs.reduce((a, x) => a + f(x), 0)
      intRows.push([mode, s, String(rs.length), String(sum((x) => x.dequeues)), String(sum((x) => x.integrity.requestsLost)), String(sum((x) => x.integrity.entriesLost ?? 0)),
        String(sum((x) => x.integrity.duplicates)), String(sum((x) => (x.failoverSamples ?? []).reduce((a, f) => a + f.unserved, 0)))])
    }
  }
  out.push(markdownTable(['mode', 'system', 'runs', 'dequeues (measured phase)', 'requests lost', 'entries lost', 'duplicates', 'unserved during outages'], intRows), '')
  out.push('"Requests lost" counts dequeues sent before any outage by a device still running and never answered; "unserved" counts those sent after the server died, which an outage cannot answer.', '')

  out.push(...captureSection(runs))

  out.push('## Charts', '')
  for (const c of charts) out.push(`### ${c.title}`, '', `![${c.title}](${c.file})`, '')

  out.push('## Misses against the targets, and why', '')
  out.push(...misses(h, records, runs), '')
  return `${out.join('\n')}\n`
}

function yes(v: boolean | null | undefined): string {
  return v === null || v === undefined ? '—' : v ? 'yes' : '**no**'
}
