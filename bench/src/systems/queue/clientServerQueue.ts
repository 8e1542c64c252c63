import * as Y from 'yjs'
import type { DequeueReply, QueueEntry } from './QueueEntry.js'

/** A dequeue request as a client writes it into the `requests` map (keyed by request id). */
export interface DequeueRequest {
  /** The consumer's name. */
  readonly by: string
}

/** The three top-level types of the client-server queue document. */
export interface ClientServerQueueDoc {
  /** Entries, oldest first: producers push, the server deletes what it hands out. */
  readonly queue: Y.Array<QueueEntry>
  /** Dequeue requests by id, written by consumers. */
  readonly requests: Y.Map<DequeueRequest>
  /** Answers by request id, written by the server. */
  readonly replies: Y.Map<DequeueReply>
}

/** The queue's top-level types in `doc`. */
export function queueDoc(doc: Y.Doc): ClientServerQueueDoc {
  return { queue: doc.getArray('queue'), requests: doc.getMap('requests'), replies: doc.getMap('replies') }
}

/** Transaction origin of the server's decisions. */
export const SERVER_DECISION = { queue: 'server-decision' }

/**
 * The client-server queue's server code, on the central server's document: y-websocket has no
 * RPC, so a consumer writes a request into `requests` and the server, the only authority,
 * answers each new request in one transaction that removes the oldest entry from `queue` and
 * writes `replies[request] = { entry }`. Both changes reach every client as one update.
 * Returns the function that uninstalls it.
 */
export function installServerQueue(doc: Y.Doc): () => void {
  const q = queueDoc(doc)
  const handler = (ev: Y.YMapEvent<DequeueRequest>): void => {
    const fresh = [...ev.keysChanged].filter((id) => q.requests.has(id) && !q.replies.has(id)).sort()
    if (fresh.length === 0) return
    doc.transact(() => {
      for (const id of fresh) {
        const first = q.queue.length > 0 ? q.queue.get(0) : undefined
        if (first !== undefined) q.queue.delete(0, 1)
        q.replies.set(id, { entry: first?.id ?? null })
      }
    }, SERVER_DECISION)
  }
  q.requests.observe(handler)
  return () => q.requests.unobserve(handler)
}
