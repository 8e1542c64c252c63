import { mkdir, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { ProgressBar } from '../report/ProgressBar.js'
import type { SimWorkerMessage } from './simWorker.js'
import { runWifiReal, type Cleanup } from './runWifiReal.js'
import { removeOwnWifiNamespaces, removeStaleWifiNamespaces } from './WifiLab.js'
import { wifiPlan, type WifiPlanOptions, type WifiRunSpec } from './wifiPlan.js'
import { wifiCharts, wifiSection } from './wifiReport.js'
import type { WifiRunResult } from './WifiRunResult.js'
import { wifiSummary, type WifiSummary } from './wifiSummary.js'

const SIM_WORKERS = 2
const label = (s: WifiRunSpec): string => `wifi ${s.mode} ${s.profile.name} n=${s.peers}`
/** Progress weights: a real run costs its wall time; a simulated one about n² × virtual minutes / 20. */
const cost = (s: WifiRunSpec): number => (s.mode === 'real' ? s.quietMs / 1000 + s.kills * 8 + 20 : (s.peers * s.peers * (s.quietMs / 60_000 + s.kills * 0.1)) / 20)

/**
 * `npm run bench -- --wifi [--quick]`: the Wi-Fi study of issue 13. Runs the plan (see
 * {@link wifiPlan}), writes `<dir>/results.json` and `<dir>/report.md` (its "Wi-Fi" section)
 * with two charts, and returns the last line's object. A SIGINT kills every process of the
 * running step and deletes its namespaces before the bench exits.
 */
export async function runWifi(options: WifiPlanOptions, dir: string): Promise<{ summary: WifiSummary; failures: Array<{ step: string; error: string }>; wallSeconds: number }> {
  const wallStart = performance.now()
  const steps = wifiPlan(options)
  const killers: Array<{ kill(): void }> = []
  const cleanup: Cleanup = { add: (k) => killers.push(k) }
  const onSigint = (): void => {
    for (const k of killers) k.kill()
    process.stderr.write('\nbench: interrupted; removing the Wi-Fi lab\n')
    void removeOwnWifiNamespaces().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)
  if (steps.some((s) => s.mode === 'real')) {
    const stale = await removeStaleWifiNamespaces()
    if (stale.length > 0) process.stderr.write(`bench: removed ${stale.length} Wi-Fi lab namespaces left by dead runs\n`)
  }
  const bar = new ProgressBar(steps.reduce((s, x) => s + cost(x), 0))
  const results = new Map<number, WifiRunResult>()
  const failures: Array<{ step: string; error: string }> = []
  const indexed = steps.map((spec, index) => ({ index, spec }))
  // Two workers: on two cores shared with other jobs, the simulation then keeps pace with the real runs.
  const simSteps = indexed.filter((x) => x.spec.mode === 'sim')
  const sims = Promise.all([0, 1].map((w) => runSimsInWorker(simSteps.filter((_, i) => i % SIM_WORKERS === w), bar, results, failures)))
  try {
    for (const { index, spec } of indexed.filter((x) => x.spec.mode === 'real')) {
      const name = label(spec)
      bar.update(name)
      try {
        results.set(index, await runWifiReal(spec, cleanup, (w) => bar.update(name, w)))
      } catch (error) {
        failures.push({ step: name, error: error instanceof Error ? error.message : String(error) })
      }
      killers.length = 0
      bar.advance(cost(spec))
    }
    await sims
  } finally {
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
  }
  const runs = [...results].sort((a, b) => a[0] - b[0]).map(([, r]) => r)
  const wallSeconds = Math.round((performance.now() - wallStart) / 100) / 10
  const summary = wifiSummary(runs)
  const charts = wifiCharts(runs)
  const cpu = cpus()
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Node ${process.version}`
  await mkdir(dir, { recursive: true })
  for (const c of charts) await writeFile(join(dir, c.file), c.svg)
  const failureText = failures.length === 0 ? '' : `\n## Steps that failed\n\n${failures.map((f) => `- ${f.step}: ${f.error}`).join('\n')}\n`
  await writeFile(join(dir, 'report.md'), `# sship Wi-Fi study\n\n${wifiSection(runs, charts, { quick: options.quick, wallSeconds, machine })}${failureText}`)
  await writeFile(join(dir, 'results.json'), `${JSON.stringify({
    schema: 'sship-bench-wifi/1', startedAt: new Date(Date.now() - wallSeconds * 1000).toISOString(), quick: options.quick, seed: options.seed, wallSeconds,
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? null, node: process.version, platform: process.platform },
    summary, failures, runs
  }, null, 1)}\n`)
  bar.finish(`${runs.length} Wi-Fi runs, ${failures.length} failed → ${dir}`)
  return { summary, failures, wallSeconds }
}

/**
 * Runs simulated steps in a worker thread, beside the real steps in this one (they are
 * CPU-bound and use virtual time, so sharing the CPU does not change their results).
 */
function runSimsInWorker(steps: ReadonlyArray<{ index: number; spec: WifiRunSpec }>, bar: ProgressBar, results: Map<number, WifiRunResult>, failures: Array<{ step: string; error: string }>): Promise<void> {
  if (steps.length === 0) return Promise.resolve()
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./simWorker.js', import.meta.url), { workerData: { specs: steps } })
    const byIndex = new Map(steps.map((s) => [s.index, s.spec]))
    let finished = false
    const end = (): void => {
      if (finished) return
      finished = true
      resolve()
    }
    worker.on('message', (m: SimWorkerMessage) => {
      const spec = m.type === 'done' ? undefined : byIndex.get(m.index)
      if (m.type === 'progress' && spec !== undefined) bar.update(label(spec), m.what)
      else if (m.type === 'result' && spec !== undefined) {
        results.set(m.index, m.result)
        bar.advance(cost(spec))
      } else if (m.type === 'failure' && spec !== undefined) {
        failures.push({ step: label(spec), error: m.error })
        bar.advance(cost(spec))
      } else if (m.type === 'done') end()
    })
    worker.on('error', (error) => {
      failures.push({ step: 'wifi sim worker', error: error.message })
      end()
    })
    worker.on('exit', end)
  })
}
