/** A queue entry as stored in the replicated document, by both systems. */
export interface QueueEntry {
  /** The entry's id. */
  readonly id: string
  /** Its position in enqueue order: the queue is served oldest first. */
  readonly k: number
  /** The payload (ASCII, so its length is its size in bytes). */
  readonly p: string
}

/** The reply to a dequeue: the id of the entry handed out, or null when the queue was empty. */
export interface DequeueReply {
  readonly entry: string | null
}

/** Reads a {@link DequeueReply} out of an unknown reply. */
export function asDequeueReply(reply: unknown): DequeueReply | undefined {
  if (typeof reply !== 'object' || reply === null || !('entry' in reply)) return undefined
  const entry = (reply as { entry: unknown }).entry
  return typeof entry === 'string' || entry === null ? { entry } : undefined
}
