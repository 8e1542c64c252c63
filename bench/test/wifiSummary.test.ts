import { describe, expect, it } from 'vitest'
import { parseBenchArgs } from '../src/cli/BenchOptions.js'
import { checkLedger } from '../src/wifi/ledgerCheck.js'
import { failoverMs, falseRoleChanges, roleChanges, type RoleObservation } from '../src/wifi/roleTimeline.js'
import { wifiPlan } from '../src/wifi/wifiPlan.js'
import { targetVerdict, wifiCharts, wifiSection } from '../src/wifi/wifiReport.js'
import type { WifiRunResult } from '../src/wifi/WifiRunResult.js'
import { wifiSummary } from '../src/wifi/wifiSummary.js'

const o = (at: number, peer: string, coordinator: string | null, epoch: number, failoverInProgress = false): RoleObservation => ({ at, peer, coordinator, epoch, failoverInProgress })

function run(over: Partial<WifiRunResult>): WifiRunResult {
  return {
    mode: 'real', profile: 'busy', peers: 5, seed: 1, minutes: 10, falseRoleChanges: 0, roleChanges: [], kills: 10,
    failoverMs: [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], failoverTimeouts: 0, acked: 100, lost: 0, duplicates: 0,
    doubleAcked: 0, cuts: 0, freezes: 0, notes: [], wallSeconds: 1, ...over
  }
}

describe('the Wi-Fi study: role timeline', () => {
  const start = [o(0, 'a', 'a', 1), o(0, 'b', 'a', 1), o(0, 'c', 'a', 1)]

  it('counts each new term some peer followed, once, and none that existed before the phase', () => {
    const obs = [...start,
      o(150, 'b', 'b', 1, true), // b's passing view while it claims: not a term yet
      o(160, 'b', 'b', 2), o(170, 'c', 'b', 2), // a false failover to b
      o(180, 'a', 'a', 2), // a tie at epoch 2 (a lost it): a claim too
      o(190, 'a', 'b', 2),
      o(200, 'c', 'a', 1), // a stale view (a restarted peer replaying epoch 1): no change
      o(500, 'a', 'a', 3), o(510, 'b', 'a', 3)] // a failback
    expect(roleChanges(obs, 100, 1000).map((c) => `${c.epoch}/${c.coordinator}`)).toEqual(['2/b', '2/a', '3/a'])
    expect(falseRoleChanges(obs, 100, 1000)).toBe(3)
    expect(falseRoleChanges(obs, 100, 1000, [{ from: 150, to: 300 }]), 'changes inside an excused window are not false').toBe(1)
    expect(falseRoleChanges(obs, 600, 1000)).toBe(0)
    expect(falseRoleChanges(start, 0, 1000), 'the term held at the start is not a change').toBe(1)
    expect(falseRoleChanges(start, 1, 1000)).toBe(0)
  })

  it('measures failover from the kill until every survivor follows one new coordinator with no failover in progress', () => {
    const obs = [...start, o(1200, 'b', 'b', 2, true), o(1250, 'b', 'b', 2), o(1300, 'c', null, 1), o(1400, 'c', 'b', 2, true), o(1450, 'c', 'b', 2)]
    expect(failoverMs(obs, 'a', 1000, ['b', 'c'])).toBe(450)
    expect(failoverMs(obs.slice(0, -1), 'a', 1000, ['b', 'c']), 'c still has a failover in progress').toBeNull()
    expect(failoverMs([...start, o(1200, 'b', 'b', 2), o(1210, 'c', 'c', 2)], 'a', 1000, ['b', 'c']), 'two coordinators').toBeNull()
    expect(failoverMs(start, 'a', 1000, ['b', 'c']), 'everyone still follows the dead one').toBeNull()
  })
})

describe('the Wi-Fi study: ledger check', () => {
  it('finds lost acks, applied-twice increments and values acknowledged by two coordinators', () => {
    const acks = [
      { id: 'r1', by: 'a', count: 1 }, { id: 'r2', by: 'a', count: 2 },
      { id: 'r3', by: 'a', count: 3 }, { id: 'r4', by: 'b', count: 3 }, // the isolated a and the new b both hand out 3
      { id: 'r5', by: 'b', count: 4 }
    ]
    expect(checkLedger(acks, { count: 5, decided: ['r1', 'r2', 'r3', 'r4', 'r5'] })).toEqual({ acked: 5, lost: 0, duplicates: 0, doubleAcked: 1 })
    expect(checkLedger(acks, { count: 5, decided: ['r1', 'r2', 'r4', 'r5'] })).toMatchObject({ lost: 1, duplicates: 1 })
    expect(checkLedger(acks.slice(0, 2), { count: 2, decided: ['r1', 'r2'] })).toEqual({ acked: 2, lost: 0, duplicates: 0, doubleAcked: 0 })
  })
})

describe('the Wi-Fi study: last line, report and plan', () => {
  it('prints exactly the fields of issue 13, with totals over every row and timeouts counted at the bound', () => {
    const s = wifiSummary([
      run({ falseRoleChanges: 2, lost: 1 }),
      run({ mode: 'sim', profile: 'cut', peers: 20, minutes: 0.5, doubleAcked: 7, failoverMs: [50], failoverTimeouts: 1, duplicates: 3 })
    ])
    expect(Object.keys(s)).toEqual(['falseRoleChanges', 'doubleAcked', 'profiles', 'lost', 'duplicates'])
    expect(s).toMatchObject({ falseRoleChanges: 2, doubleAcked: 7, lost: 1, duplicates: 3 })
    for (const p of s.profiles) {
      expect(Object.keys(p)).toEqual(['name', 'peers', 'minutes', 'falseRoleChanges', 'failoverP50Ms', 'failoverP99Ms', 'doubleAcked', 'lost', 'duplicates'])
    }
    expect(s.profiles[0]).toEqual({ name: 'busy', peers: 5, minutes: 10, falseRoleChanges: 2, failoverP50Ms: 500, failoverP99Ms: 1000, doubleAcked: 0, lost: 1, duplicates: 0 })
    expect(s.profiles[1]).toMatchObject({ name: 'sim:cut', peers: 20, minutes: 0.5, failoverP50Ms: 50, failoverP99Ms: 30_000 })
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
    expect(wifiSummary([run({ failoverMs: [], kills: 0 })]).profiles[0]).toMatchObject({ failoverP50Ms: null, failoverP99Ms: null })
  })

  it('judges each row against the targets and writes a table and two charts', () => {
    const rows = wifiSummary([run({}), run({ profile: 'busy', failoverMs: [1500], falseRoleChanges: 1 }), run({ profile: 'cut', doubleAcked: 2 }), run({ profile: 'clean', failoverMs: [250] })]).profiles
    expect(rows.map(targetVerdict)).toEqual(['yes', 'no (1 false role changes, p50 > 1000 ms)', 'no (double acks)', 'yes'])
    const runs = [run({}), run({ mode: 'sim', profile: 'bad', peers: 20 })]
    const charts = wifiCharts(runs)
    expect(charts.map((c) => c.file)).toEqual(['wifi-failover.svg', 'wifi-false-role-changes.svg'])
    for (const c of charts) expect(c.svg).toMatch(/^<svg[^>]*>[\s\S]*real n=5[\s\S]*sim n=20[\s\S]*<\/svg>\s*$/)
    const md = wifiSection(runs, charts, { quick: true, wallSeconds: 12, machine: 'test' })
    expect(md).toMatch(/^## Wi-Fi\n/)
    expect(md).toContain('| real | busy | 5 | 10.00 | 0 | 10/10 | 500 | 1,000 | 100 | 0 | 0 | 0 | yes |')
    expect(md).toContain('![Failover p50 by Wi-Fi profile](wifi-failover.svg)')
  })

  it('plans the quick form (every profile simulated at 5 and 20 peers, three real profiles at 5) and the full form (10 minutes and 10 kills each)', () => {
    const quick = wifiPlan(parseBenchArgs(['--wifi', '--quick']))
    expect(quick.filter((r) => r.mode === 'sim').map((r) => `${r.profile.name}/${r.peers}`)).toEqual(
      ['clean/5', 'clean/20', 'wifi/5', 'wifi/20', 'busy/5', 'busy/20', 'bad/5', 'bad/20', 'cut/5', 'cut/20', 'sleepy/5', 'sleepy/20'])
    expect(quick.filter((r) => r.mode === 'real').map((r) => `${r.profile.name}/${r.peers}`)).toEqual(['busy/5', 'cut/5', 'sleepy/5'])
    const full = wifiPlan(parseBenchArgs(['--wifi']))
    expect(full).toHaveLength(24)
    expect(full.every((r) => r.quietMs === 600_000 && r.kills === 10)).toBe(true)
    expect(new Set(full.map((r) => r.seed)).size).toBe(24)
    const some = wifiPlan(parseBenchArgs(['--wifi', '--real-only', '--profiles', 'busy,cut', '--peers', '5', '--minutes', '3', '--kills', '12']))
    expect(some.map((r) => [r.mode, r.profile.name, r.peers, r.quietMs, r.kills])).toEqual([['real', 'busy', 5, 180_000, 12], ['real', 'cut', 5, 180_000, 12]])
    expect(() => wifiPlan(parseBenchArgs(['--wifi', '--profiles', 'nope']))).toThrow(/unknown Wi-Fi profile/)
    for (const bad of [['--peers', '5'], ['--wifi', '--peers', '1'], ['--wifi', '--kills', '-1'], ['--wifi', '--minutes', 'x']]) expect(() => parseBenchArgs(bad), bad.join(' ')).toThrow(TypeError)
  })
})
