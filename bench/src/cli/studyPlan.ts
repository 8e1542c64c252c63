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

/** Real runs at this n (1 KiB) check their socket counters against a tshark capture on loopback. */
export const CAPTURE_N = 20
/** Device counts of the small sweep (simulation and real processes). */
export const SMALL_NS: readonly number[] = [5, 10, 20, 50]
/** Device counts of the large sweep: simulation only, 1 KiB, full study. */
export const LARGE_NS: readonly number[] = [100, 200, 300, 500]
/** Failback is measured in simulation up to this n (its 9 s window of probes is costly above). */
export const SIM_FAILBACK_MAX_N = 100
/**
 * Extra simulated failover trials per n in the full study (each is a fresh cluster: its join
 * costs more than n² Yjs transactions, so the largest sizes get few). The study run adds one kill.
 */
export const FULL_TRIALS: Readonly<Record<number, number>> = { 5: 20, 10: 20, 20: 100, 50: 20, 100: 10, 200: 2, 300: 1, 500: 0 }

/**
 * The steps of the study. Full: simulation at n = 5…50 with every payload and at n = 100…500
 * with 1 KiB, extra failover trials per n ({@link FULL_TRIALS}), and real processes at n = 5…50.
 * Quick: simulation at n = 5…50 (1 KiB; 64 B and 16 KiB at n = 20), 20 failover trials at
 * n = 20, real processes at n = 20. `--max-n` and `--min-n` cut either end.
 */
export function studyPlan(o: BenchOptions): PlanStep[] {
  const steps: PlanStep[] = []
  const seed = o.seed
  const sim = (system: SystemId, n: number, payloadBytes: number): PlanStep => ({
    kind: 'sim', purpose: 'study',
    spec: { system, n, payloadBytes, seed, ops: STUDY_OPS, opsPerSecond: OPS_PER_SECOND, idleMs: 2000, failover: true, failback: n <= SIM_FAILBACK_MAX_N }
  })
  const trials = (n: number, count: number): PlanStep[] => Array.from({ length: count }, (_, i) => ({
    kind: 'sim', purpose: 'failover-trial',
    spec: { system: SystemId.Sship, n, payloadBytes: 1024, seed: seed * 1000 + i + 1, ops: 20, opsPerSecond: OPS_PER_SECOND, idleMs: 0, failover: true, failback: false }
  }) as const)
  const real = (system: SystemId, n: number, payloadBytes: number, kills: number): PlanStep => ({
    kind: 'real',
    spec: { system, n, payloadBytes, seed, ops: REAL_OPS, opsPerSecond: OPS_PER_SECOND, idleMs: 2000, kills: system === SystemId.Sship ? kills : 1, capture: n === CAPTURE_N && payloadBytes === 1024 }
  })
  if (!o.realOnly) {
    for (const n of SMALL_NS) {
      for (const payloadBytes of o.quick ? (n === 20 ? PAYLOAD_SIZES : [1024]) : PAYLOAD_SIZES) {
        for (const system of SYSTEMS) steps.push(sim(system, n, payloadBytes))
      }
    }
    if (!o.quick) for (const n of LARGE_NS) for (const system of SYSTEMS) steps.push(sim(system, n, 1024))
    if (o.quick) steps.push(...trials(20, 20))
    else for (const n of [...SMALL_NS, ...LARGE_NS]) steps.push(...trials(n, FULL_TRIALS[n] ?? 0))
  }
  if (!o.simOnly) {
    for (const n of o.quick ? [20] : SMALL_NS) {
      for (const system of SYSTEMS) steps.push(real(system, n, 1024, n <= 20 ? 4 : 2))
    }
    if (!o.quick) for (const payloadBytes of [64, 16384]) for (const system of SYSTEMS) steps.push(real(system, 20, payloadBytes, 2))
  }
  return steps.filter((s) => s.spec.n <= o.maxN && s.spec.n >= o.minN && o.systems.includes(s.spec.system))
}

/** A short label of a step for the progress bar. */
export function stepLabel(s: PlanStep): string {
  const { system, n, payloadBytes } = s.spec
  const kind = s.kind === 'sim' ? (s.purpose === 'study' ? 'sim' : 'sim trial') : 'real'
  return `${kind} ${system} n=${n} ${payloadBytes} B`
}

/**
 * A rough cost of a step in seconds on 2 idle cores, for the progress bar's estimate. Simulating
 * sship costs about n³: every update is applied by all n peers, and each Yjs transaction walks
 * the document's n clients (its state vector, before and after); no-ft has one eligible peer and
 * joins more cheaply; the client-server simulation has one document per client and a star.
 */
export function stepCost(s: PlanStep): number {
  const n = s.spec.n
  if (s.kind === 'real') return 6 + n * 0.5 + (s.spec.system === SystemId.Sship ? s.spec.kills * 4 : 2)
  const sship = 0.05 * n + 6e-6 * n ** 3
  if (s.purpose === 'failover-trial') return 0.1 + 0.6 * sship
  const factor = s.spec.system === SystemId.Sship ? 1 : s.spec.system === SystemId.NoFaultTolerance ? 0.3 : 0.08
  return factor * sship + (s.spec.payloadBytes > 4096 ? 1 : 0)
}
