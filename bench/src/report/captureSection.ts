import type { CaptureCheck } from '../measure/loopbackCapture.js'
import { fmt, markdownTable } from './markdownTable.js'
import type { StudyRun } from './StudyRun.js'

/** What the capture checks of a study came to: the largest relative difference, or why they were skipped. */
export interface CaptureSummary {
  /** Largest |captured − counted| ÷ counted over the checked runs; null if none was checked. */
  readonly maxRelativeDifference: number | null
  readonly checked: number
  /** Whether every checked capture lay between the inner and outer counter readings; null if none was checked. */
  readonly withinBracket: boolean | null
  /** Why the checks were skipped, if they were. */
  readonly skipped: string | null
}

/** Summarises the {@link CaptureCheck}s of `runs`. */
export function captureSummary(runs: readonly StudyRun[]): CaptureSummary {
  const checks = runs.flatMap((r) => (r.result.captureCheck === undefined ? [] : [r.result.captureCheck]))
  const done = checks.filter((c): c is Extract<CaptureCheck, { tool: 'tshark' }> => 'tool' in c)
  const skipped = checks.find((c): c is Extract<CaptureCheck, { skipped: string }> => 'skipped' in c)
  return {
    maxRelativeDifference: done.length === 0 ? null : Math.max(...done.map((c) => Math.abs(c.relativeDifference))),
    checked: done.length,
    withinBracket: done.length === 0 ? null : done.every((c) => c.withinBracket),
    skipped: skipped?.skipped ?? null
  }
}

/** The report's section on the capture checks; empty when no run asked for one. */
export function captureSection(runs: readonly StudyRun[]): string[] {
  const rows: string[][] = []
  for (const { result: r } of runs) {
    const c = r.captureCheck
    if (c === undefined) continue
    if ('skipped' in c) rows.push([r.system, String(r.n), `${r.payloadBytes}`, '—', '—', '—', '—', `skipped: ${c.skipped}`, '—', '—', '—'])
    else {
      rows.push([r.system, String(r.n), `${r.payloadBytes}`, fmt(c.counterBytes), fmt(c.capturedBytes), fmt(c.outerCounterBytes), fmt(c.retransmittedBytes), fmt(c.packets),
        `${fmt(c.relativeDifference * 100, 2)} %`, c.withinBracket ? 'yes' : '**no**', c.dropped === null ? 'not reported' : String(c.dropped)])
    }
  }
  if (rows.length === 0) return []
  return [
    '## Byte counters against a loopback capture (real processes, workload phase)', '',
    'tshark captured the TCP traffic of the run\'s ports on `lo` during the workload phase; "captured" sums the TCP payload lengths ' +
    'without retransmitted segments (TCP sends those bytes twice, a socket counts them once). ' +
    'The counters are read over the workers\' stdin/stdout twice at each end: "counted" between readings taken after the capture started ' +
    'and before it stopped (the workload phase\'s bytes, as in the tables above), "outer" between readings taken before it started and ' +
    'after it stopped (tshark is stopped 500 ms after the inner reading, so bytes written just before it reach the capture). ' +
    'Counters that agree with the wire put the capture between the two; "difference" is captured ÷ counted − 1: the liveness ' +
    'traffic of those 500 ms, and whatever else was sent while tshark was starting and stopping.', '',
    markdownTable(['system', 'n', 'payload B', 'counted bytes', 'captured bytes', 'outer counted bytes', 'retransmitted bytes (excluded)', 'packets', 'difference', 'counted ≤ captured ≤ outer', 'tshark dropped'], rows), ''
  ]
}
