import type { RunMode } from '../measure/RunResult.js'
import { SYSTEMS, SystemId } from '../systems/SystemId.js'
import type { MetricRecord } from './metricRecords.js'
import { lineChartSvg, type ChartSeries } from './svgLineChart.js'

/** A chart file to write: its name and its SVG text. */
export interface ChartFile {
  readonly file: string
  readonly title: string
  readonly svg: string
}

function seriesOf(records: readonly MetricRecord[], name: string, q: { system: SystemId; mode: RunMode; metric: string; payloadBytes?: number }, stat: 'p50' | 'p99' = 'p50'): ChartSeries {
  const points = records
    .filter((r) => r.system === q.system && r.mode === q.mode && r.metric === q.metric && r.payloadBytes === (q.payloadBytes ?? 1024))
    .sort((a, b) => a.n - b.n)
    .map((r) => [r.n, r[stat]] as const)
  return { name, points }
}

const nonEmpty = (s: readonly ChartSeries[]): ChartSeries[] => s.filter((x) => x.points.some((p) => p[1] !== null))

/** The study's charts: bytes per operation, failover time, recovery bytes and idle traffic, each against n. */
export function studyCharts(records: readonly MetricRecord[]): ChartFile[] {
  const bytes = nonEmpty([
    ...SYSTEMS.map((system) => seriesOf(records, `${system} (sim)`, { system, mode: 'sim', metric: 'bytesPerOp' })),
    ...SYSTEMS.map((system) => seriesOf(records, `${system} (real)`, { system, mode: 'real', metric: 'bytesPerOp' }))
  ])
  const failover = nonEmpty([
    seriesOf(records, 'first served p50 (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'failover.firstServedMs' }),
    seriesOf(records, 'first served p99 (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'failover.firstServedMs' }, 'p99'),
    seriesOf(records, 're-pointed p50 (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'failover.repointMs' }),
    seriesOf(records, 'detected p50 (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'failover.detectionMs' }),
    seriesOf(records, 'served, SIGKILL (real)', { system: SystemId.Sship, mode: 'real', metric: 'failover.firstServedMs.SIGKILL' }),
    seriesOf(records, 'served, SIGSTOP (real)', { system: SystemId.Sship, mode: 'real', metric: 'failover.firstServedMs.SIGSTOP' })
  ])
  const recovery = nonEmpty([
    seriesOf(records, 'failover, all (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'failover.recoveryBytes' }),
    seriesOf(records, 'failover, overhead (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'failover.recoveryOverheadBytes' }),
    seriesOf(records, 'failback (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'failback.bytes' }),
    seriesOf(records, 'failover, SIGKILL (real)', { system: SystemId.Sship, mode: 'real', metric: 'failover.recoveryBytes.SIGKILL' }),
    seriesOf(records, 'failback (real)', { system: SystemId.Sship, mode: 'real', metric: 'failback.bytes' })
  ])
  const idle = nonEmpty([
    seriesOf(records, 'sship (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'idleBytesPerSec' }),
    seriesOf(records, 'sship liveness (sim)', { system: SystemId.Sship, mode: 'sim', metric: 'idleLivenessBytesPerSec' }),
    seriesOf(records, 'no-ft (sim)', { system: SystemId.NoFaultTolerance, mode: 'sim', metric: 'idleBytesPerSec' }),
    seriesOf(records, 'sship (real)', { system: SystemId.Sship, mode: 'real', metric: 'idleBytesPerSec' }),
    seriesOf(records, 'client-server (real)', { system: SystemId.ClientServer, mode: 'real', metric: 'idleBytesPerSec' })
  ])
  return [
    { file: 'bytes-per-op.svg', title: 'Bytes on the wire per queue operation (1 KiB payload)', svg: lineChartSvg({ title: 'Bytes per queue operation vs n (1 KiB payload)', xLabel: 'devices n', yLabel: 'bytes / operation', series: bytes, logX: true, logY: true }) },
    { file: 'failover-vs-n.svg', title: 'Failover time vs n (sship)', svg: lineChartSvg({ title: 'sship failover: kill → … (ms) vs n', xLabel: 'devices n', yLabel: 'milliseconds after the kill', series: failover, logX: true }) },
    { file: 'recovery-bytes-vs-n.svg', title: 'Bytes during recovery vs n (sship)', svg: lineChartSvg({ title: 'sship bytes during failover and failback vs n', xLabel: 'devices n', yLabel: 'bytes', series: recovery, logX: true, logY: true }) },
    { file: 'idle-vs-n.svg', title: 'Idle bytes per second vs n', svg: lineChartSvg({ title: 'Idle traffic vs n (no operations)', xLabel: 'devices n', yLabel: 'bytes / second', series: idle, logX: true, logY: true }) }
  ]
}
