import type * as Y from 'yjs'
import { TrafficCategory } from './Traffic.js'

/** Maps a top-level type's name to the category of updates that touch it. */
export type RootCategories = (rootName: string) => TrafficCategory

/** sship's document layout: `data` is the app's, requests and decisions are the server's, the rest is the role's. */
export const sshipRoots: RootCategories = (name) =>
  name === 'data' ? TrafficCategory.Data
    : name === 'sship.log' || name === 'sship.requests' || name === 'sship.decisions' ? TrafficCategory.Requests
      : TrafficCategory.Control

/** The client-server queue's layout: `queue` holds the entries, `requests`/`replies` the dequeues. */
export const clientServerRoots: RootCategories = (name) =>
  name === 'queue' ? TrafficCategory.Data : TrafficCategory.Requests

/** The part of a Yjs type the walk to its root needs. */
interface TypeNode {
  readonly _item: { readonly parent: unknown } | null
}

const rank: Record<TrafficCategory, number> = { requests: 3, data: 2, control: 1, repair: 0, liveness: 0 }

/**
 * The category of the update a transaction produced: that of the top-level types it changed,
 * the highest ranked one when it changed several (requests over data over control).
 */
export function classifyTransaction(tr: Y.Transaction, roots: RootCategories): TrafficCategory {
  const names = new Map<unknown, string>()
  for (const [name, type] of tr.doc.share) names.set(type, name)
  let best: TrafficCategory = TrafficCategory.Control
  let bestRank = -1
  for (const type of tr.changed.keys()) {
    let root = type as unknown as TypeNode
    for (let item = root._item; item !== null; item = root._item) root = item.parent as TypeNode
    const category = roots(names.get(root) ?? '')
    if (rank[category] > bestRank) {
      best = category
      bestRank = rank[category]
    }
  }
  return best
}
