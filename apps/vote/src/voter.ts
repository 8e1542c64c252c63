import { cryptoRandom, randomHex } from '@sship/core/internals'

/** Key of this browser's voter id in `localStorage` (shared by its tabs, kept across reloads). */
const VOTER_KEY = 'sship-vote-voter'

/**
 * This browser's voter id: one per browser (not per tab), so a student who opens a second tab
 * still has one vote. Without `localStorage` every page load is a new voter.
 */
export function voterId(): string {
  try {
    const kept = localStorage.getItem(VOTER_KEY)
    if (kept !== null && /^v-[0-9a-f]{12}$/.test(kept)) return kept
    const id = `v-${randomHex(cryptoRandom, 6)}`
    localStorage.setItem(VOTER_KEY, id)
    return id
  } catch {
    return `v-${randomHex(cryptoRandom, 6)}`
  }
}
