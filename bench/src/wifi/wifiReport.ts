import { fmt, markdownTable } from '../report/markdownTable.js'
import { lineChartSvg, type ChartSeries } from '../report/svgLineChart.js'
import type { ChartFile } from '../report/charts.js'
import { wifiSummary, type WifiSummary } from './wifiSummary.js'
import type { WifiRunResult } from './WifiRunResult.js'
import { WIFI_PROFILES } from './WifiProfile.js'

/** Issue 13's targets, per profile: failover p50 bound (ms) where one is set. */
const P50_TARGET_MS: Readonly<Record<string, number>> = { clean: 300, busy: 1000, bad: 2000 }
const ZERO_FALSE = new Set(['wifi', 'busy', 'bad', 'sleepy'])

const profileAxis = `profile (${WIFI_PROFILES.map((p, i) => `${i + 1} ${p.name}`).join(', ')})`
const xOf = (profile: string): number => WIFI_PROFILES.findIndex((p) => p.name === profile) + 1

function series(runs: readonly WifiRunResult[], value: (r: WifiRunResult, s: WifiSummary['profiles'][number]) => number | null): ChartSeries[] {
  const rows = wifiSummary(runs).profiles
  const groups = new Map<string, Array<readonly [number, number | null]>>()
  runs.forEach((r, i) => {
    const key = `${r.mode} n=${r.peers}`
    const row = rows[i]
    if (row === undefined) return
    groups.set(key, [...(groups.get(key) ?? []), [xOf(r.profile), value(r, row)] as const])
  })
  return [...groups].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }))
}

/** The Wi-Fi charts: failover p50 and false role changes per minute, by profile. */
export function wifiCharts(runs: readonly WifiRunResult[]): ChartFile[] {
  return [
    { file: 'wifi-failover.svg', title: 'Failover p50 by Wi-Fi profile', svg: lineChartSvg({ title: 'Kill → every survivor follows the new coordinator, p50 (ms)', xLabel: profileAxis, yLabel: 'milliseconds', series: series(runs, (_, s) => s.failoverP50Ms) }) },
    { file: 'wifi-false-role-changes.svg', title: 'False role changes per 10 minutes by Wi-Fi profile', svg: lineChartSvg({ title: 'False role changes per 10 minutes (no kills)', xLabel: profileAxis, yLabel: 'role changes / 10 min', series: series(runs, (r) => (r.minutes > 0 ? (10 * r.falseRoleChanges) / r.minutes : null)) }) }
  ]
}

/** Which of issue 13's targets a row meets: `yes`, `no (…)`, or `—` when the profile has none. */
export function targetVerdict(row: WifiSummary['profiles'][number]): string {
  const profile = row.name.replace(/^sim:/, '')
  const misses: string[] = []
  if (ZERO_FALSE.has(profile) && row.falseRoleChanges > 0) misses.push(`${row.falseRoleChanges} false role changes`)
  const bound = P50_TARGET_MS[profile]
  if (bound !== undefined && (row.failoverP50Ms === null || row.failoverP50Ms > bound)) misses.push(`p50 > ${bound} ms`)
  if (row.lost > 0 || row.duplicates > 0) misses.push('lost/duplicates')
  if (profile === 'cut' && row.doubleAcked > 0) misses.push('double acks')
  return misses.length === 0 ? 'yes' : `no (${misses.join(', ')})`
}

/** The report's "Wi-Fi" section: what was run, the table, the charts, notes. */
export function wifiSection(runs: readonly WifiRunResult[], charts: readonly ChartFile[], context: { quick: boolean; wallSeconds: number; machine: string }): string {
  const summary = wifiSummary(runs)
  const rows = summary.profiles.map((p, i) => {
    const r = runs[i] as WifiRunResult
    return [r.mode, r.profile, String(p.peers), fmt(p.minutes, 2), String(p.falseRoleChanges), `${r.failoverMs.length}/${r.kills}`,
      fmt(p.failoverP50Ms), fmt(p.failoverP99Ms), String(r.acked), String(p.lost), String(p.duplicates), String(p.doubleAcked), targetVerdict(p)]
  })
  const notes = runs.flatMap((r) => r.notes.map((n) => `- ${r.mode} ${r.profile} n=${r.peers}: ${n}`))
  return [
    '## Wi-Fi',
    '',
    `${context.quick ? 'Quick form' : 'Full form'}, ${context.wallSeconds} s on ${context.machine} (shared with other jobs: real-process times include scheduling delays).`,
    'Real: `sship join` processes (default timing, mDNS) in network namespaces joined by a user-space switch that impairs each host\'s egress',
    '(normal delay, independent loss); every peer sends `inc` requests (10 per second over the room). Sim: core\'s in-memory network under',
    'virtual time with a Wi-Fi model (heavy-tailed delays, bursts of loss, stalls; see bench/README.md). "False" role changes are terms first',
    'followed during the phase without kills, outside the 10 s of a cut and the 20 s after its heal; failover is kill → every survivor follows',
    'one new coordinator; lost/duplicates/double acks compare every ack with the final ledger.',
    '',
    markdownTable(['mode', 'profile', 'peers', 'minutes', 'false role changes', 'failovers', 'failover p50 ms', 'p99 ms', 'acked', 'lost', 'duplicates', 'double-acked', 'targets met'], rows),
    '',
    ...charts.map((c) => `![${c.title}](${c.file})`),
    '',
    ...(notes.length === 0 ? [] : ['Notes:', '', ...notes, ''])
  ].join('\n')
}
