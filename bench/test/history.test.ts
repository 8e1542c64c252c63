import { describe, expect, it } from 'vitest'
import { parseBenchArgs } from '../src/cli/BenchOptions.js'
import { historyHeadline, historyTargets } from '../src/history/historyReport.js'
import { runHistory } from '../src/history/runHistory.js'
import { runTabsChurn } from '../src/history/tabsChurn.js'

describe('history bench', () => {
  it('parses --history, --ops and --baseline', () => {
    expect(parseBenchArgs(['--history', '--quick'])).toMatchObject({ history: true, quick: true, ops: undefined })
    expect(parseBenchArgs(['--history', '--ops', '500', '--baseline', 'x.json'])).toMatchObject({ ops: 500, baseline: 'x.json' })
    expect(() => parseBenchArgs(['--history', '--ops', 'many'])).toThrow(TypeError)
  })

  it('runs a short history: samples every 100 ops, a late joiner, nothing lost or duplicated (seed 1)', () => {
    const run = runHistory({ label: 't', seed: 1, ops: 300, sampleEvery: 100, joinAt: [200] })
    expect(run.samples.map((s) => s.ops)).toEqual([100, 200, 300])
    expect(run.samples.every((s) => s.docBytes > 0 && s.stateBytes > 0)).toBe(true)
    expect(run.joins).toHaveLength(1)
    expect(run.joins[0]!.reached).toBe(true)
    expect(run.joins[0]!.joinBytes / run.joins[0]!.docBytes).toBeLessThan(1.5)
    expect(run).toMatchObject({ ops: 300, lost: 0, duplicates: 0 })
    const tabs = runTabsChurn({ seed: 1, tabs: 30, browsers: 6, alive: 3, crashEvery: 5, retireAfterMs: 10_000 })
    expect(tabs.listLength).toBeLessThanOrEqual(3 + 6)
    const h = historyHeadline(run, tabs)
    expect(h).toMatchObject({ ops: 300, tabsEver: 30, alive: 3 })
    const targets = historyTargets(h, run)
    expect(targets.find((t) => t.target.startsWith('list length'))?.met).toBe(true)
    expect(targets.find((t) => t.target.startsWith('0 lost'))?.met).toBe(true)
  })
})
