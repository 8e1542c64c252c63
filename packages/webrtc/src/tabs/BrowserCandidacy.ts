/**
 * Tabs of one browser stand as one candidate: they share one GUID (kept in `localStorage`), and
 * only the tab that holds the browser's Web Lock runs as an eligible server under it; the other
 * tabs are clients with their own per-tab GUIDs. The lock is released when its tab closes (the
 * browser does it, also on a crash), so the next tab to start takes the candidacy. A browser
 * that opened 40 tabs over a semester is one entry of the successorship list, not 40.
 */

/** The part of `navigator.locks` this needs (injectable for tests). */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<unknown> | unknown): Promise<unknown>
}

/** The part of `localStorage` this needs (injectable for tests). */
export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** What {@link claimBrowserCandidacy} found. */
export interface BrowserCandidacy {
  /** The browser's GUID, shared by its tabs. */
  readonly browserId: string
  /** True if this tab holds the lock: it runs the eligible server under `browserId`. */
  readonly candidate: boolean
  /** Releases the lock (call when the tab stops its peer); idempotent. */
  release(): void
}

/** Options of {@link claimBrowserCandidacy}. */
export interface BrowserCandidacyOptions {
  /** The app's name: one lock and one GUID per app and browser. */
  readonly app: string
  /** A new GUID, used the first time this browser runs the app. */
  readonly fresh: () => string
  /** Which stored GUIDs are accepted (a malformed one is replaced). */
  readonly valid: (id: string) => boolean
  /** Defaults to `navigator.locks`; `null` (or no Web Locks) makes every tab a candidate under its own GUID. */
  readonly locks?: LockManagerLike | null
  /** Defaults to `localStorage`; `null` keeps nothing. */
  readonly storage?: StorageLike | null
}

const hostLocks = (): LockManagerLike | undefined => (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
const hostStorage = (): StorageLike | undefined => {
  try {
    return (globalThis as { localStorage?: StorageLike }).localStorage
  } catch {
    return undefined
  }
}

/** The browser's GUID for `app`, created on first use. */
export function browserGuid(o: Pick<BrowserCandidacyOptions, 'app' | 'fresh' | 'valid' | 'storage'>): string {
  const storage = o.storage === undefined ? hostStorage() : o.storage
  const key = `sship-browser-id:${o.app}`
  try {
    const kept = storage?.getItem(key) ?? null
    if (kept !== null && o.valid(kept)) return kept
    const id = o.fresh()
    storage?.setItem(key, id)
    return id
  } catch {
    return o.fresh()
  }
}

/**
 * Tries to take this browser's candidacy for `app` without waiting: resolves with
 * `candidate: true` if no other tab holds it. Without Web Locks (an old browser, or a context
 * without them) the tab stands alone: `candidate: true` under a GUID of its own.
 */
export async function claimBrowserCandidacy(o: BrowserCandidacyOptions): Promise<BrowserCandidacy> {
  const locks = o.locks === undefined ? hostLocks() : o.locks
  if (locks === undefined || locks === null) return { browserId: o.fresh(), candidate: true, release: () => undefined }
  const browserId = browserGuid(o)
  let release: () => void = () => undefined
  const held = new Promise<void>((resolve) => (release = resolve))
  const granted = await new Promise<boolean>((answer) => {
    locks.request(`sship-candidate:${o.app}`, { ifAvailable: true }, (lock) => {
      answer(lock !== null)
      // Holding the callback's promise holds the lock, until release() or the tab closes.
      return lock === null ? undefined : held
    }).catch(() => answer(false))
  })
  if (!granted) release()
  return { browserId, candidate: granted, release: () => release() }
}
