/**
 * `npm run bench -- [--quick]`: the evaluation study of issue F. Runs sship, the
 * no-fault-tolerance baseline and a central y-websocket server on the same seeded queue
 * workload, in simulation and as real processes on loopback; writes
 * `bench-results/<timestamp>/` (results.json, report.md, SVG charts); prints a progress bar on
 * stderr and, as its last stdout line, one JSON object with the headline numbers.
 *
 * @packageDocumentation
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseBenchArgs, USAGE, type BenchOptions } from './cli/BenchOptions.js'
import { OPS_PER_SECOND, STUDY_OPS, stepCost, stepLabel, studyPlan } from './cli/studyPlan.js'
import { historyBench } from './history/historyMain.js'
import { captureUnavailable } from './measure/loopbackCapture.js'
import { runReal } from './measure/runReal.js'
import { runSimulation } from './measure/runSimulation.js'
import { studyCharts } from './report/charts.js'
import { headline, type Headline } from './report/headline.js'
import { metricRecords } from './report/metricRecords.js'
import { ProgressBar } from './report/ProgressBar.js'
import { reportMarkdown } from './report/reportMarkdown.js'
import type { StudyRun } from './report/StudyRun.js'
import { runScaleStudy, scaleHeadline } from './scale/runScaleStudy.js'
import { scaleCharts, scaleReport } from './scale/scaleReport.js'
import { runWifi } from './wifi/runWifi.js'
import type { WifiPlanOptions } from './wifi/wifiPlan.js'

/** The `--wifi` overrides that were given (exactOptionalPropertyTypes: absent, never undefined). */
function definedOnly(o: BenchOptions): Partial<WifiPlanOptions> {
  return {
    ...(o.profiles === undefined ? {} : { profiles: o.profiles }),
    ...(o.peers === undefined ? {} : { peers: o.peers }),
    ...(o.minutes === undefined ? {} : { minutes: o.minutes }),
    ...(o.kills === undefined ? {} : { kills: o.kills })
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** What results.json records about the invocation besides the runs. */
interface StudyMeta {
  readonly startedAt: string
  readonly quick: boolean
  readonly seed: number
  readonly wallSeconds: number | null
}

async function main(options: BenchOptions): Promise<number> {
  if (options.rerender !== undefined) return rerender(options.rerender.map((d) => resolve(d)))
  if (options.history) return history(options)
  if (options.scale) return scale(options)
  const wallStart = performance.now()
  const startedAt = new Date().toISOString()
  const dir = resolve(options.out ?? join(REPO_ROOT, 'bench-results'), startedAt.replace(/[:.]/g, '-') + (options.wifi ? '-wifi' : ''))
  if (options.wifi) {
    const { summary, failures } = await runWifi({ ...options, ...definedOnly(options) }, dir)
    console.log(JSON.stringify(summary))
    return failures.length === 0 ? 0 : 1
  }
  const steps = studyPlan(options)
  if (steps.some((s) => s.kind === 'real' && s.spec.capture === true)) {
    const why = captureUnavailable()
    process.stderr.write(why === null
      ? 'bench: tshark found: real runs at n = 20 check their socket byte counters against a capture on loopback\n'
      : `bench: ${why} (install it with apt-get install tshark to check the byte counters)\n`)
  }
  const bar = new ProgressBar(steps.reduce((sum, s) => sum + stepCost(s), 0))
  const runs: StudyRun[] = []
  const failures: Array<{ step: string; error: string }> = []
  for (const step of steps) {
    const label = stepLabel(step)
    bar.update(label)
    try {
      if (step.kind === 'sim') runs.push({ purpose: step.purpose, result: runSimulation(step.spec, (what) => bar.update(label, what)) })
      else runs.push({ purpose: 'study', result: await runReal(step.spec, (what) => bar.update(label, what)) })
    } catch (error) {
      failures.push({ step: label, error: error instanceof Error ? error.message : String(error) })
    }
    bar.advance(stepCost(step))
  }
  const wallSeconds = Math.round((performance.now() - wallStart) / 100) / 10
  const head = await writeStudy(dir, { startedAt, quick: options.quick, seed: options.seed, wallSeconds }, runs, failures)
  bar.finish(`${runs.length} runs, ${failures.length} failed → ${dir}`)
  console.log(JSON.stringify({ ...head, outputDir: dir, wallSeconds, failedSteps: failures.length }))
  return failures.length === 0 ? 0 : 1
}

/** Writes results.json, report.md and the charts of `runs` into `dir`; returns the headline. */
async function writeStudy(dir: string, meta: StudyMeta, runs: readonly StudyRun[], failures: ReadonlyArray<{ step: string; error: string }>): Promise<Headline> {
  const records = metricRecords(runs)
  const head = headline(records, runs)
  const charts = studyCharts(records)
  const cpu = cpus()
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Node ${process.version}`
  await mkdir(dir, { recursive: true })
  for (const c of charts) await writeFile(join(dir, c.file), c.svg)
  const report = reportMarkdown({ startedAt: meta.startedAt, quick: meta.quick, wallSeconds: meta.wallSeconds, machine, opsPerSecond: OPS_PER_SECOND, ops: STUDY_OPS }, head, records, runs, charts)
  const failureText = failures.length === 0 ? '' : `\n## Steps that failed\n\n${failures.map((f) => `- ${f.step}: ${f.error}`).join('\n')}\n`
  await writeFile(join(dir, 'report.md'), report + failureText)
  await writeFile(join(dir, 'results.json'), `${JSON.stringify({
    schema: 'sship-bench/1',
    startedAt: meta.startedAt,
    quick: meta.quick,
    seed: meta.seed,
    wallSeconds: meta.wallSeconds,
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? null, node: process.version, platform: process.platform },
    config: { opsPerSecond: OPS_PER_SECOND, studyOps: STUDY_OPS },
    headline: head,
    failures,
    records,
    runs
  }, null, 1)}\n`)
  return head
}

/**
 * `--scale [--quick]`: the classroom study (issue 17). Writes `bench-results/<timestamp>-scale/`
 * (results.json, report.md with the "Classroom scale" section, SVG charts) and prints, last, one
 * JSON object with its headline.
 */
async function scale(options: BenchOptions): Promise<number> {
  const wallStart = performance.now()
  const startedAt = new Date().toISOString()
  const dir = resolve(options.out ?? join(REPO_ROOT, 'bench-results'), `${startedAt.replace(/[:.]/g, '-')}-scale`)
  const study = await runScaleStudy(options.quick, options.seed, (what) => process.stderr.write(`bench --scale: ${what}\n`))
  const head = scaleHeadline(study)
  const cpu = cpus()
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Node ${process.version}`
  await mkdir(dir, { recursive: true })
  for (const c of scaleCharts(study)) await writeFile(join(dir, c.file), c.svg)
  // Real Chromium contexts are measured by `npm run bench:classroom` (it needs a network
  // namespace); its last table goes into this section when present.
  const browsers = await readFile(join(REPO_ROOT, 'test-results/classroom/classroom.md'), 'utf8').catch(() => undefined)
  await writeFile(join(dir, 'report.md'), scaleReport(study, head, machine, browsers))
  const wallSeconds = Math.round((performance.now() - wallStart) / 100) / 10
  await writeFile(join(dir, 'results.json'), `${JSON.stringify({ schema: 'sship-scale/1', startedAt, quick: options.quick, seed: options.seed, wallSeconds, headline: head, study }, null, 1)}\n`)
  process.stderr.write(`bench --scale: ${wallSeconds} s → ${dir}\n`)
  console.log(JSON.stringify(head))
  return 0
}

/**
 * `--rerender DIR[,DIR…]`: rebuilds records, headline, report.md and the charts from the raw runs
 * in each `DIR/results.json` with this version of the report code, without running anything.
 * Several directories (parts of one study run side by side) are pooled into a new directory,
 * the first one's name plus `-pooled`; the wall time is then the longest part's.
 */
async function rerender(dirs: readonly string[]): Promise<number> {
  const parts = await Promise.all(dirs.map(async (dir) => {
    const json = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as {
      schema?: unknown; startedAt: string; quick: boolean; seed: number; wallSeconds?: number | null; runs: StudyRun[]; failures?: Array<{ step: string; error: string }>
    }
    if (json.schema !== 'sship-bench/1' || !Array.isArray(json.runs)) throw new Error(`${dir}/results.json is not a sship-bench/1 file`)
    return json
  }))
  const [first] = parts
  if (first === undefined || dirs[0] === undefined) throw new TypeError(USAGE)
  const dir = dirs.length === 1 ? dirs[0] : `${dirs[0]}-pooled`
  const failures = parts.flatMap((p) => p.failures ?? [])
  const walls = parts.map((p) => p.wallSeconds)
  const wallSeconds = walls.every((w): w is number => typeof w === 'number') ? Math.max(...walls) : null
  const head = await writeStudy(dir, { startedAt: first.startedAt, quick: first.quick, seed: first.seed, wallSeconds }, parts.flatMap((p) => p.runs), failures)
  console.log(JSON.stringify({ ...head, outputDir: dir, wallSeconds, failedSteps: failures.length }))
  return failures.length === 0 ? 0 : 1
}

/** `--history`: the long-run bench of issue 14 (see history/historyMain.ts). */
async function history(options: BenchOptions): Promise<number> {
  const { dir, headline } = await historyBench({
    quick: options.quick, seed: options.seed, outRoot: resolve(options.out ?? join(REPO_ROOT, 'bench-results')),
    ...(options.ops !== undefined ? { ops: options.ops } : {}), ...(options.baseline !== undefined ? { baseline: resolve(options.baseline) } : {})
  }, (text) => process.stderr.write(`\r${text}        `))
  process.stderr.write(`\nbench --history → ${dir}\n`)
  console.log(JSON.stringify(headline))
  return 0
}

let options: BenchOptions
try {
  options = parseBenchArgs(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : USAGE}\n`)
  process.exit(2)
}
main(options).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  }
)
