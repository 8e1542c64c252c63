/**
 * Membership that forgets: a clean leave takes a peer off the list, the coordinator retires a
 * peer it has not seen for `retireAfterMs` (never the initial host), a retired peer that comes
 * back joins again at the end, and quorum mode counts its majority over current members.
 */
import { describe, expect, it } from 'vitest'
import { Cluster } from '@sship/core/testing'

const RETIRE = 60_000
const members = (c: Cluster, id: string): readonly string[] => c.member(id).connection!.getSnapshot().successors

/** A started cluster whose list every member agrees on; returns it with that list. */
function started(seed: number, servers: number, mode: 'availability' | 'quorum' = 'availability'): { c: Cluster; list: string[] } {
  const c = new Cluster({ seed, servers, mode, timing: { retireAfterMs: RETIRE } }).start()
  expect(c.runUntil(() => c.alive().every((m) => members(c, m.id).length === servers) && c.leaders().length === 1, 20_000)).toBeGreaterThanOrEqual(0)
  const list = [...members(c, 's00')]
  expect(list[0]).toBe('s00')
  return { c, list }
}
const without = (list: readonly string[], ...ids: string[]): string[] => list.filter((x) => !ids.includes(x))

describe('membership that forgets', () => {
  it('a clean leave takes the peer off the list at once; its terms still count (seed 1)', () => {
    const { c, list } = started(1, 4)
    c.leave('s02')
    expect(c.runUntil(() => c.alive().every((m) => !members(c, m.id).includes('s02' as never)), 2_000), 'retired within a few heartbeats').toBeGreaterThanOrEqual(0)
    expect(members(c, 's00')).toEqual(without(list, 's02'))
    expect(c.member('s01').connection!.peer.app.eligible()).toContain('s02')
    const r = c.send('s03')
    expect(c.runUntil(() => c.member('s03').connection!.peer.ledger.decisionFor(r.id) !== undefined, 5_000)).toBeGreaterThanOrEqual(0)
  })

  it('retires a silent peer after retireAfterMs, never the initial host; a peer that comes back re-joins at the end (seed 2)', () => {
    const { c, list } = started(2, 4)
    c.crash('s01')
    c.run(RETIRE / 2)
    expect(members(c, 's00'), 'not yet').toContain('s01')
    expect(c.runUntil(() => c.alive().every((m) => !members(c, m.id).includes('s01' as never)), RETIRE, 50)).toBeGreaterThanOrEqual(0)
    expect(members(c, 's02')).toEqual(without(list, 's01'))
    c.restart('s01')
    const back = [...without(list, 's01'), 's01'].join()
    expect(c.runUntil(() => c.alive().every((m) => members(c, m.id).join() === back), 10_000, 10)).toBeGreaterThanOrEqual(0)
    // The initial host is never retired, however long it is gone.
    c.crash('s00')
    c.run(3 * RETIRE)
    expect(members(c, 's02')).toContain('s00')
  })

  it('quorum mode: after two of five members are retired, two of the three left decide (seed 3)', () => {
    const { c, list } = started(3, 5, 'quorum')
    c.crash('s03')
    c.crash('s04')
    expect(c.runUntil(() => c.alive().every((m) => members(c, m.id).length === 3), 3 * RETIRE, 50)).toBeGreaterThanOrEqual(0)
    expect(members(c, 's01')).toEqual(without(list, 's03', 's04'))
    // Now only s00 and s01 stay: a majority of the three current members, not of the five ever listed.
    c.crash('s02')
    const r = c.send('s01')
    expect(c.runUntil(() => c.member('s01').connection!.getRequests().find((x) => x.id === r.id)?.status === 'acknowledged', 20_000, 10)).toBeGreaterThanOrEqual(0)
  })
})
