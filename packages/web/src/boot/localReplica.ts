import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'

/** This browser's own copy of the app's document, kept in IndexedDB across reloads and outages. */
export interface LocalReplica {
  readonly doc: Y.Doc
  /** Whether IndexedDB held this app's document already (the page was here before). */
  readonly restored: boolean
  /** Stops writing to IndexedDB (the data stays). */
  close(): void
}

/** Longest wait for IndexedDB to load before the page goes on without it. */
const LOAD_TIMEOUT_MS = 3000

/**
 * Opens the document of `name` from IndexedDB (y-indexeddb) and keeps every later change there,
 * so a page that reloads, or comes back after every peer was down, starts from what it had.
 * Without IndexedDB (or if it does not answer in time) the document starts empty and is not kept.
 */
export async function openLocalReplica(name: string): Promise<LocalReplica> {
  const doc = new Y.Doc({ gc: true })
  if (typeof indexedDB === 'undefined') return { doc, restored: false, close: () => undefined }
  const persistence = new IndexeddbPersistence(name, doc)
  let timer: ReturnType<typeof setTimeout> | undefined
  const loaded = await Promise.race([
    persistence.whenSynced.then(() => true),
    new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), LOAD_TIMEOUT_MS) })
  ])
  clearTimeout(timer)
  if (!loaded) {
    void persistence.destroy()
    return { doc, restored: false, close: () => undefined }
  }
  return { doc, restored: doc.share.size > 0 && Y.encodeStateVector(doc).byteLength > 1, close: () => void persistence.destroy() }
}

/** Key of this tab's GUID in `sessionStorage` (per tab, kept across reloads). */
const PEER_ID_KEY = 'sship-peer-id'

/**
 * This tab's GUID: kept in `sessionStorage`, so a reload is the same peer (same place in the
 * successorship list, same pending requests); a new tab gets `fresh()`.
 */
export function tabPeerId(fresh: () => string): string {
  try {
    const kept = sessionStorage.getItem(PEER_ID_KEY)
    if (kept !== null && /^b-[0-9a-f]{12}$/.test(kept)) return kept
    const id = fresh()
    sessionStorage.setItem(PEER_ID_KEY, id)
    return id
  } catch {
    return fresh()
  }
}
