import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { historyChart, historyHeadline, historyReport, historyTargets } from './historyReport.js'
import { runHistory, type HistoryResult } from './runHistory.js'
import { runTabsChurn } from './tabsChurn.js'

/** Options of `npm run bench -- --history`. */
export interface HistoryBenchOptions {
  /** 20,000 ops instead of 100,000. */
  readonly quick: boolean
  readonly seed: number
  /** Where `<timestamp>-history/` goes. */
  readonly outRoot: string
  /** Operations (overrides quick/full). */
  readonly ops?: number
  /** A results.json of an earlier history run whose main series is drawn beside this one (e.g. the code before checkpoints). */
  readonly baseline?: string
}

/**
 * The history bench of issue 14: a long queue workload (3 servers, 5 clients, in-memory network),
 * sampled every 1,000 ops; late joiners at 1 k, 10 k and the end; 1,000 tabs coming and going.
 * Writes report.md, history.svg and results.json; returns the headline (printed as the last line).
 */
export async function historyBench(o: HistoryBenchOptions, progress: (text: string) => void): Promise<{ dir: string; headline: ReturnType<typeof historyHeadline> }> {
  const wallStart = performance.now()
  const startedAt = new Date().toISOString()
  const ops = o.ops ?? (o.quick ? 20_000 : 100_000)
  const joinAt = [...new Set([1000, 10_000, ops].filter((n) => n <= ops))]
  const run = runHistory({ label: 'sship', seed: o.seed, ops, joinAt, progress: (n) => progress(`history ${n}/${ops} ops`) })
  progress('tabs: 1,000 tabs over 40 browsers')
  const tabs = runTabsChurn({ seed: o.seed, tabs: 1000, browsers: 40, alive: 3, crashEvery: 5, retireAfterMs: 600_000 })
  // The same workload without checkpoints, over a quarter of the ops: the growth they remove.
  const without = Math.max(1000, Math.floor(ops / 4))
  const plain = runHistory({
    label: `without checkpoints (first ${without.toLocaleString('en')} ops)`, seed: o.seed, ops: without, joinAt: [], peerOptions: { checkpointEvery: 0 },
    progress: (n) => progress(`history without checkpoints ${n}/${without} ops`)
  })
  const runs: HistoryResult[] = [run, plain]
  if (o.baseline !== undefined) {
    const earlier = JSON.parse(await readFile(o.baseline, 'utf8')) as { runs?: HistoryResult[] }
    const base = earlier.runs?.[0]
    if (base !== undefined) runs.push({ ...base, label: `${base.label} (baseline)` })
  }
  const headline = historyHeadline(run, tabs)
  const wallSeconds = Math.round((performance.now() - wallStart) / 100) / 10
  const cpu = cpus()
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Node ${process.version}`
  const dir = join(o.outRoot, `${startedAt.replace(/[:.]/g, '-')}-history`)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'history.svg'), historyChart(runs))
  await writeFile(join(dir, 'report.md'), historyReport({ startedAt, machine, wallSeconds }, runs, tabs, headline, 'history.svg'))
  await writeFile(join(dir, 'results.json'), `${JSON.stringify({ schema: 'sship-bench-history/1', startedAt, quick: o.quick, seed: o.seed, wallSeconds, headline, targets: historyTargets(headline, run), runs, tabs }, null, 1)}\n`)
  return { dir, headline }
}
