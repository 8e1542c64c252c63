import { it, vi, expect } from 'vitest'
import { Cluster } from '@sship/core/testing'
it('probe', () => {
  const s = vi.spyOn(Date, 'now')
  const p = vi.spyOn(performance, 'now')
  const c = new Cluster({ seed: 5, servers: 2, clients: 1 }).start()
  c.send('c00'); c.run(2000)
  expect([s.mock.calls.length, p.mock.calls.length]).toEqual([0, 0])
})
