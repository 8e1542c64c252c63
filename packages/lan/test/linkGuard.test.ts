import { describe, expect, it } from 'vitest'
import { LinkChoice } from '../src/transport/linkPolicy.js'
import { mayDisplace } from '../src/transport/linkGuard.js'

const opts = { settleMs: 5000, silentMs: 6000 }

describe('mayDisplace (who may take over a peer\'s current link)', () => {
  it('never displaces a live link for a new session (a forged hello), only a silent one', () => {
    const current = { openedAt: 0, lastHeardAt: 10_000 }
    expect(mayDisplace(LinkChoice.Restart, current, true, 10_100, opts)).toBe(false)
    expect(mayDisplace(LinkChoice.Restart, current, false, 15_000, opts)).toBe(false)
    // Even a link that just opened: a restart never uses the settle window.
    expect(mayDisplace(LinkChoice.Restart, { openedAt: 10_000, lastHeardAt: 10_000 }, true, 10_001, opts)).toBe(false)
    expect(mayDisplace(LinkChoice.Restart, current, true, 16_001, opts)).toBe(true)
  })

  it('lets the tie-break replace an inbound link only while settling or silent; an outbound one always', () => {
    const current = { openedAt: 10_000, lastHeardAt: 10_000 }
    expect(mayDisplace(LinkChoice.Replace, current, true, 14_999, opts)).toBe(true)
    expect(mayDisplace(LinkChoice.Replace, { openedAt: 10_000, lastHeardAt: 15_000 }, true, 15_001, opts)).toBe(false)
    expect(mayDisplace(LinkChoice.Replace, current, true, 16_001, opts)).toBe(true)
    expect(mayDisplace(LinkChoice.Replace, { openedAt: 0, lastHeardAt: 15_000 }, false, 15_001, opts)).toBe(true)
  })

  it('keeps the existing link when the tie-break says so', () => {
    expect(mayDisplace(LinkChoice.KeepExisting, { openedAt: 0, lastHeardAt: 0 }, true, 100_000, opts)).toBe(false)
  })
})
