import type { JsonObject } from '@sship/core'
import { allEntries, hasLeft, type QueueEntry } from './QueueEntry.js'

/** Where an entry stands. */
export const EntryStatus = {
  /** In the queue, not yet handed to a TA. */
  Waiting: 'waiting',
  /** Handed to a TA by the server (decided once, in the server state). */
  Assigned: 'assigned',
  /** Left the queue before a TA took it. */
  Left: 'left'
} as const
/** One of {@link EntryStatus}'s values. */
export type EntryStatus = (typeof EntryStatus)[keyof typeof EntryStatus]

/** An entry with its status, and its TA once assigned. */
export interface EntryView extends QueueEntry {
  readonly status: EntryStatus
  readonly ta?: string
}

/** The queue as every screen shows it. */
export interface QueueView {
  /** Waiting entries, in queue order (index + 1 is the position). */
  readonly waiting: readonly EntryView[]
  /** Entries handed to a TA, oldest entry first. */
  readonly assigned: readonly EntryView[]
  /** Every entry by id. */
  readonly byId: ReadonlyMap<string, EntryView>
}

/** The TA that the server state says an entry was handed to (`assigned[id]`), if any. */
export function assignedTa(state: JsonObject, id: string): string | undefined {
  const assigned = state.assigned
  if (typeof assigned !== 'object' || assigned === null || Array.isArray(assigned)) return undefined
  const ta = assigned[id]
  return typeof ta === 'string' ? ta : undefined
}

/**
 * Folds the shared data (entries and left marks, commutative) and the server state (assignments,
 * decided once) into the queue. An assignment wins over a later left mark: the TA has the
 * student already.
 */
export function queueView(data: Readonly<Record<string, unknown>>, state: JsonObject): QueueView {
  const waiting: EntryView[] = []
  const assigned: EntryView[] = []
  const byId = new Map<string, EntryView>()
  for (const entry of allEntries(data)) {
    const ta = assignedTa(state, entry.id)
    const view: EntryView = ta !== undefined ? { ...entry, status: EntryStatus.Assigned, ta }
      : hasLeft(data, entry.id) ? { ...entry, status: EntryStatus.Left } : { ...entry, status: EntryStatus.Waiting }
    byId.set(entry.id, view)
    if (view.status === EntryStatus.Waiting) waiting.push(view)
    else if (view.status === EntryStatus.Assigned) assigned.push(view)
  }
  return { waiting, assigned, byId }
}

/** 1-based position of `id` among the waiting entries, or undefined if it is not waiting. */
export function positionOf(view: QueueView, id: string): number | undefined {
  const i = view.waiting.findIndex((e) => e.id === id)
  return i < 0 ? undefined : i + 1
}
