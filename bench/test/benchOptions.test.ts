import { describe, expect, it } from 'vitest'
import { parseBenchArgs } from '../src/cli/BenchOptions.js'
import { FULL_TRIALS, LARGE_NS, stepCost, studyPlan } from '../src/cli/studyPlan.js'
import { SystemId } from '../src/systems/SystemId.js'

describe('bench options and the study plan', () => {
  it('parses the defaults, --min-n, --systems and --rerender, and refuses bad input', () => {
    const d = parseBenchArgs([])
    expect(d).toMatchObject({ quick: false, scale: false, seed: 1, maxN: 1000, minN: 2, systems: ['client-server', 'no-ft', 'sship'], rerender: undefined })
    expect(parseBenchArgs(['--scale', '--quick'])).toMatchObject({ scale: true, quick: true })
    expect(parseBenchArgs(['--sim-only', '--min-n', '100', '--systems', 'sship']).systems).toEqual(['sship'])
    expect(parseBenchArgs(['--rerender', 'a,b']).rerender).toEqual(['a', 'b'])
    for (const bad of [['--min-n', '1'], ['--min-n', '300', '--max-n', '200'], ['--systems', 'sship,nope'], ['--systems', ''], ['--rerender', ','], ['--sim-only', '--real-only']]) {
      expect(() => parseBenchArgs(bad), bad.join(' ')).toThrow(TypeError)
    }
  })

  it('runs the large in-memory sweep only in the full study, with the trials of FULL_TRIALS', () => {
    const quick = studyPlan(parseBenchArgs(['--quick']))
    expect(Math.max(...quick.map((s) => s.spec.n))).toBe(50)
    const large = studyPlan(parseBenchArgs(['--sim-only', '--min-n', '100']))
    expect(large.every((s) => s.kind === 'sim' && s.spec.n >= 100)).toBe(true)
    for (const n of LARGE_NS) {
      const study = large.flatMap((s) => (s.kind === 'sim' && s.purpose === 'study' && s.spec.n === n ? [s.spec] : []))
      expect(study.map((s) => s.system).sort()).toEqual(['client-server', 'no-ft', 'sship'])
      expect(study.every((s) => s.payloadBytes === 1024 && s.failover && s.failback === n <= 100)).toBe(true)
      expect(large.filter((s) => s.kind === 'sim' && s.purpose === 'failover-trial' && s.spec.n === n)).toHaveLength(FULL_TRIALS[n] ?? 0)
    }
    const only = studyPlan(parseBenchArgs(['--sim-only', '--min-n', '500', '--systems', 'sship']))
    expect(only.map((s) => [s.spec.system, s.spec.n])).toEqual([[SystemId.Sship, 500]])
  })

  it('weighs a simulated sship run about n³, so n = 500 dominates the estimate', () => {
    const [s200] = studyPlan(parseBenchArgs(['--sim-only', '--min-n', '200', '--max-n', '200', '--systems', 'sship']))
    const [s500] = studyPlan(parseBenchArgs(['--sim-only', '--min-n', '500', '--systems', 'sship']))
    if (s200 === undefined || s500 === undefined) throw new Error('plan lacks the sship runs')
    expect(stepCost(s500) / stepCost(s200)).toBeGreaterThan(10)
  })
})
