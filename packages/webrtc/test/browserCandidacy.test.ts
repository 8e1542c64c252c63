import { describe, expect, it } from 'vitest'
import { claimBrowserCandidacy, type LockManagerLike, type StorageLike } from '../src/tabs/BrowserCandidacy.js'

/** One browser: a lock manager with `ifAvailable` semantics, and one storage, shared by its tabs. */
function browser(): { locks: LockManagerLike; storage: StorageLike } {
  const held = new Set<string>()
  const store = new Map<string, string>()
  return {
    locks: {
      async request(name, _options, callback) {
        if (held.has(name)) return callback(null)
        held.add(name)
        const result = callback({ name })
        void Promise.resolve(result).then(() => held.delete(name))
        return undefined
      }
    },
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) }
  }
}

describe('browser candidacy', () => {
  it('tabs of one browser share one GUID and only one stands as candidate; the next tab takes over on release', async () => {
    const b = browser()
    let n = 0
    const options = { app: 'q', fresh: () => `b-${String(++n).padStart(12, '0')}`, valid: (id: string) => /^b-\d{12}$/.test(id), ...b }
    const first = await claimBrowserCandidacy(options)
    const second = await claimBrowserCandidacy(options)
    expect(first.candidate).toBe(true)
    expect(second.candidate).toBe(false)
    expect(second.browserId).toBe(first.browserId)
    first.release()
    await new Promise((r) => setTimeout(r, 0))
    const third = await claimBrowserCandidacy(options)
    expect(third).toMatchObject({ candidate: true, browserId: first.browserId })
    const other = await claimBrowserCandidacy({ ...options, ...browser() })
    expect(other.browserId, 'another browser has its own GUID').not.toBe(first.browserId)
  })

  it('without Web Locks every tab stands alone under its own GUID', async () => {
    let n = 0
    const a = await claimBrowserCandidacy({ app: 'q', fresh: () => `x${++n}`, valid: () => true, locks: null, storage: null })
    expect(a.candidate).toBe(true)
  })
})
