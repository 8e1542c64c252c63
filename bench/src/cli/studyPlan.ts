import type { RealRunSpec } from '../measure/runReal.js'
import type { SimRunSpec } from '../measure/runSimulation.js'
import { SYSTEMS, SystemId } from '../systems/SystemId.js'
import { PAYLOAD_SIZES } from '../workload/Workload.js'
import type { BenchOptions } from './BenchOptions.js'

/** One step of the study. */
export type PlanStep =
  | { readonly kind: 'sim'; readonly purpose: 'study' | 'failover-trial'; readonly spec: SimRunSpec }
  | { readonly kind: 'real'; readonly spec: RealRunSpec }

/** Operations per second over the whole app, in every run. */
export const OPS_PER_SECOND = 20
/** Operations of a measured workload phase. */
export const STUDY_OPS = 100
const REAL_OPS = 60

/**
 * The steps of the study. Full: simulation at n = 5…50 with every payload and at n = 100…500
 * with 1 KiB, extra failover trials per n, and real processes at n = 5…50. Quick: simulation at
 * n = 5…50 (1 KiB; 64 B and 16 KiB at n = 20), 20 failover trials at n = 20, real processes at n = 20.
 */
export function studyPlan(o: BenchOptions): PlanStep[] {
  const steps: PlanStep[] = []
  const seed = o.seed
  const sim = (system: SystemId, n: number, payloadBytes: number, failback = true): PlanStep => ({
    kind: 'sim', purpose: 'study',
    spec: { system, n, payloadBytes, seed, ops: STUDY_OPS, opsPerSecond: OPS_PER_SECOND, idleMs: 2000, failover: true, failback }
  })
  const trials = (n: number, count: number): PlanStep[] => Array.from({ length: count }, (_, i) => ({
    kind: 'sim', purpose: 'failover-trial',
    spec: { system: SystemId.Sship, n, payloadBytes: 1024, seed: seed * 1000 + i + 1, ops: 20, opsPerSecond: OPS_PER_SECOND, idleMs: 0, failover: true, failback: false }
  }) as const)
  const real = (system: SystemId, n: number, payloadBytes: number, kills: number): PlanStep => ({
    kind: 'real', spec: { system, n, payloadBytes, seed, ops: REAL_OPS, opsPerSecond: OPS_PER_SECOND, idleMs: 2000, kills: system === SystemId.Sship ? kills : 1 }
  })
  if (!o.realOnly) {
    const small = [5, 10, 20, 50]
    for (const n of small) {
      for (const payloadBytes of o.quick ? (n === 20 ? PAYLOAD_SIZES : [1024]) : PAYLOAD_SIZES) {
        for (const system of SYSTEMS) steps.push(sim(system, n, payloadBytes))
      }
    }
    if (!o.quick) for (const n of [100, 200, 500]) for (const system of SYSTEMS) steps.push(sim(system, n, 1024, n <= 200))
    if (o.quick) steps.push(...trials(20, 20))
    else for (const n of [5, 10, 20, 50, 100]) steps.push(...trials(n, n === 20 ? 100 : 20))
  }
  if (!o.simOnly) {
    for (const n of o.quick ? [20] : [5, 10, 20, 50]) {
      for (const system of SYSTEMS) steps.push(real(system, n, 1024, n <= 20 ? 4 : 2))
    }
    if (!o.quick) for (const payloadBytes of [64, 16384]) for (const system of SYSTEMS) steps.push(real(system, 20, payloadBytes, 2))
  }
  return steps.filter((s) => s.spec.n <= o.maxN)
}

/** A short label of a step for the progress bar. */
export function stepLabel(s: PlanStep): string {
  const { system, n, payloadBytes } = s.spec
  const kind = s.kind === 'sim' ? (s.purpose === 'study' ? 'sim' : 'sim trial') : 'real'
  return `${kind} ${system} n=${n} ${payloadBytes} B`
}

/** A rough cost of a step in seconds on 2 cores, for the progress bar's estimate. */
export function stepCost(s: PlanStep): number {
  const n = s.spec.n
  if (s.kind === 'real') return 6 + n * 0.5 + (s.spec.system === SystemId.Sship ? s.spec.kills * 4 : 2)
  if (s.purpose === 'failover-trial') return 0.02 * n + 0.1
  return 0.05 * n + 0.0009 * n * n + (s.spec.payloadBytes > 4096 ? 1 : 0)
}
