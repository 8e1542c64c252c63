import { fmt, fmtBytes, markdownTable } from '../report/markdownTable.js'
import { lineChartSvg } from '../report/svgLineChart.js'
import type { HistoryResult } from './runHistory.js'
import type { TabsChurnResult } from './tabsChurn.js'

/** The last stdout line of `npm run bench -- --history`. */
export interface HistoryHeadline {
  readonly ops: number
  readonly docBytes: number
  readonly stateBytes: number
  readonly joinBytes: number
  readonly joinBytesRatio: number
  readonly cpuPerOpFirstMs: number
  readonly cpuPerOpLastMs: number
  readonly tabsEver: number
  readonly listLength: number
  readonly alive: number
  readonly lost: number
  readonly duplicates: number
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits

/** The headline of a history run (the last sample, the last join, the tabs phase). */
export function historyHeadline(run: HistoryResult, tabs: TabsChurnResult): HistoryHeadline {
  const last = run.samples.at(-1)
  const first = run.samples[0]
  const join = run.joins.at(-1)
  return {
    ops: run.ops,
    docBytes: last?.docBytes ?? 0,
    stateBytes: last?.stateBytes ?? 0,
    joinBytes: join?.joinBytes ?? 0,
    joinBytesRatio: join === undefined || join.docBytes === 0 ? 0 : round(join.joinBytes / join.docBytes, 3),
    cpuPerOpFirstMs: round(first?.cpuPerOpMs ?? 0, 3),
    cpuPerOpLastMs: round(last?.cpuPerOpMs ?? 0, 3),
    tabsEver: tabs.tabsEver,
    listLength: tabs.listLength,
    alive: tabs.alive,
    lost: run.lost,
    duplicates: run.duplicates
  }
}

/** Targets of issue 14, checked against a headline; `maxDocBytes` is the largest sample. */
export function historyTargets(h: HistoryHeadline, run: HistoryResult): Array<{ target: string; met: boolean; value: string }> {
  const worst = Math.max(0, ...run.samples.map((s) => s.docBytes - (64 * 1024 + 2 * s.stateBytes)))
  return [
    { target: 'doc bytes ≤ 64 KiB + 2 × state bytes at every sample', met: worst <= 0, value: worst <= 0 ? 'yes' : `over by ${fmtBytes(worst)} at worst` },
    { target: 'joinBytesRatio ≤ 1.2', met: h.joinBytesRatio <= 1.2, value: String(h.joinBytesRatio) },
    { target: 'CPU per decision at the end within 20 % of the start', met: h.cpuPerOpLastMs <= 1.2 * h.cpuPerOpFirstMs, value: `${h.cpuPerOpFirstMs} → ${h.cpuPerOpLastMs} ms` },
    { target: 'list length ≤ alive + 50 after the tabs', met: h.listLength <= h.alive + 50, value: `${h.listLength} (alive ${h.alive})` },
    { target: '0 lost, 0 duplicates', met: h.lost === 0 && h.duplicates === 0, value: `${h.lost} lost, ${h.duplicates} duplicates` }
  ]
}

/** The chart: doc bytes against ops, one series per run (e.g. with and without checkpoints). */
export function historyChart(runs: readonly HistoryResult[]): string {
  return lineChartSvg({
    title: 'One replica\'s document size as the history grows',
    xLabel: 'operations decided',
    yLabel: 'doc bytes',
    series: runs.map((r) => ({ name: r.label, points: r.samples.map((s) => [s.ops, s.docBytes] as const) }))
  })
}

/** The report section (markdown). */
export function historyReport(meta: { startedAt: string; machine: string; wallSeconds: number }, runs: readonly HistoryResult[], tabs: TabsChurnResult, h: HistoryHeadline, chartFile: string): string {
  const main = runs[0]
  const lines = [`# History bench (${meta.startedAt})`, '', `${meta.machine}; wall ${meta.wallSeconds} s. CPU is the whole process (8 replicas on one core), so absolute values depend on machine load.`, '']
  for (const run of runs) {
    lines.push(`## ${run.label}`, '')
    const every = Math.max(1, Math.floor(run.samples.length / 20))
    const rows = run.samples.filter((_, i) => i % every === 0 || i === run.samples.length - 1)
      .map((s) => [fmt(s.ops), fmtBytes(s.docBytes), fmtBytes(s.stateBytes), fmt(s.cpuPerOpMs, 2), fmtBytes(s.heapPerReplicaBytes)])
    lines.push(markdownTable(['ops', 'doc bytes (one replica)', 'server state', 'CPU per decision (ms)', 'heap per replica'], rows), '')
    lines.push(markdownTable(['late joiner at ops', 'bytes received', 'doc bytes', 'ratio', 'virtual ms', 'wall ms'],
      run.joins.map((j) => [fmt(j.ops), fmtBytes(j.joinBytes), fmtBytes(j.docBytes), fmt(j.joinBytes / Math.max(1, j.docBytes), 2), fmt(j.virtualMs), fmt(j.wallMs)])), '')
    lines.push(`Lost: ${run.lost}; duplicates: ${run.duplicates}.`, '')
  }
  lines.push('## Tabs coming and going', '', `${tabs.tabsEver} tabs over ${tabs.browsers} browsers, ${tabs.alive} peers always alive: list length ${tabs.listLength} at the end (${tabs.listEntries} entries ever appended), ${fmt(tabs.virtualMs / 1000)} s virtual.`, '')
  lines.push('## Targets', '', markdownTable(['target', 'met', 'value'], main === undefined ? [] : historyTargets(h, main).map((t) => [t.target, t.met ? 'met' : 'missed', t.value])), '')
  lines.push(`![doc bytes vs ops](${chartFile})`, '')
  return lines.join('\n')
}
