/**
 * Worker thread of `--wifi`: runs the simulated steps (CPU-bound, virtual time) beside the real
 * ones, whose processes mostly wait, so the quick form fits in its time. Posts one message per
 * progress update, result or failure, then `done`.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { runWifiSim } from './runWifiSim.js'
import type { WifiRunSpec } from './wifiPlan.js'

/** What the worker posts. */
export type SimWorkerMessage =
  | { readonly type: 'progress'; readonly index: number; readonly what: string }
  | { readonly type: 'result'; readonly index: number; readonly result: ReturnType<typeof runWifiSim> }
  | { readonly type: 'failure'; readonly index: number; readonly error: string }
  | { readonly type: 'done' }

const port = parentPort
if (port !== null) {
  const { specs } = workerData as { specs: Array<{ index: number; spec: WifiRunSpec }> }
  let lastProgress = 0
  for (const { index, spec } of specs) {
    try {
      const result = runWifiSim(spec, (what) => {
        // At most a few progress messages per second: the main thread's bar needs no more.
        if (performance.now() - lastProgress < 250) return
        lastProgress = performance.now()
        port.postMessage({ type: 'progress', index, what } satisfies SimWorkerMessage)
      })
      port.postMessage({ type: 'result', index, result } satisfies SimWorkerMessage)
    } catch (error) {
      port.postMessage({ type: 'failure', index, error: error instanceof Error ? error.message : String(error) } satisfies SimWorkerMessage)
    }
  }
  port.postMessage({ type: 'done' } satisfies SimWorkerMessage)
}
