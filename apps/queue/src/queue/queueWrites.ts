import { randomHex, type Random } from '@sship/core'
import { DataKey } from './dataKeys.js'
import { compareEntries, MAX_NAME, MAX_TOPIC, type LeftMark } from './QueueEntry.js'
import { EntryStatus, type QueueView } from './queueView.js'

/** What the writes need of the shared data: a `Y.Map` (kept structural so tests can pass a plain map). */
export interface SharedMap {
  set(key: string, value: unknown): unknown
  has(key: string): boolean
  delete(key: string): unknown
}

/** Who writes, and when. */
export interface Writer {
  /** The writing peer's GUID. */
  readonly by: string
  /** Milliseconds since the epoch. */
  readonly now: number
  readonly random: Random
}

/**
 * Puts a student in the queue: one new key in the shared data, a commutative write that works
 * offline and syncs later. Returns the entry's id.
 */
export function enqueue(data: SharedMap, student: { readonly name: string; readonly topic: string }, w: Writer): string {
  const id = randomHex(w.random, 8)
  data.set(DataKey.entry(id), { name: student.name.trim().slice(0, MAX_NAME), topic: student.topic.trim().slice(0, MAX_TOPIC), at: w.now, by: w.by })
  return id
}

/**
 * Takes an entry out of the queue by marking it left (`left:<id>`), which commutes with
 * everything: any peer may do it, offline too, and marking twice changes nothing. An entry the
 * server already handed to a TA stays with that TA.
 */
export function leave(data: SharedMap, id: string, w: Omit<Writer, 'random'>): void {
  if (data.has(DataKey.left(id))) return
  const mark: LeftMark = { at: w.now, by: w.by }
  data.set(DataKey.left(id), mark)
}

/** How many finished (assigned or left) entries every screen keeps showing. */
export const FINISHED_KEPT = 50

/**
 * Forgets finished entries beyond the newest `kept`: deletes their `entry:` and `left:` keys
 * (a commutative write, like the others). With it the shared data, and the server state that
 * {@link decideDequeue} prunes to the entries still present, stay bounded however long the queue
 * runs. Returns how many entries were forgotten.
 */
export function forgetFinished(data: SharedMap, view: QueueView, kept = FINISHED_KEPT): number {
  const finished = [...view.byId.values()].filter((e) => e.status !== EntryStatus.Waiting).sort(compareEntries)
  const old = finished.slice(0, Math.max(0, finished.length - kept))
  for (const e of old) {
    data.delete(DataKey.entry(e.id))
    data.delete(DataKey.left(e.id))
  }
  return old.length
}
