import { DataPrefix } from './dataKeys.js'

/** A student in the queue, as written into the shared data by the student's own device. */
export interface QueueEntry {
  /** Random id (also in the key `entry:<id>`). */
  readonly id: string
  /** The student's name. */
  readonly name: string
  /** What they need help with. */
  readonly topic: string
  /** When they joined, in the enqueuing device's milliseconds since the epoch. Orders the queue. */
  readonly at: number
  /** The GUID of the peer that enqueued. */
  readonly by: string
}

/** The marker that an entry left the queue (`left:<id>`). */
export interface LeftMark {
  readonly at: number
  readonly by: string
}

/** Longest name and topic kept (longer input is cut; the data is shared with every device). */
export const MAX_NAME = 60
export const MAX_TOPIC = 140

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Reads one stored entry; undefined if it is not a well-formed entry (a bad peer cannot break the queue). */
export function parseEntry(id: string, value: unknown): QueueEntry | undefined {
  if (!isRecord(value)) return undefined
  const { name, topic, at, by } = value
  if (typeof name !== 'string' || typeof topic !== 'string' || typeof at !== 'number' || !Number.isFinite(at) || typeof by !== 'string') return undefined
  return { id, name: name.slice(0, MAX_NAME), topic: topic.slice(0, MAX_TOPIC), at, by }
}

/** Queue order: oldest first; equal times by id, so every replica sorts alike. */
export function compareEntries(a: QueueEntry, b: QueueEntry): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** Every well-formed entry in `data` (the shared data as JSON), in queue order. */
export function allEntries(data: Readonly<Record<string, unknown>>): QueueEntry[] {
  const out: QueueEntry[] = []
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith(DataPrefix.entry)) continue
    const entry = parseEntry(key.slice(DataPrefix.entry.length), value)
    if (entry !== undefined) out.push(entry)
  }
  return out.sort(compareEntries)
}

/** True if `left:<id>` is set. */
export function hasLeft(data: Readonly<Record<string, unknown>>, id: string): boolean {
  return data[`${DataPrefix.left}${id}`] !== undefined
}
