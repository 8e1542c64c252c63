import type { Json, Server, ServerHandler } from '@sship/core'
import type { QueueEntry } from './QueueEntry.js'

/**
 * The queue's server code for sship, run only by the coordinator. Producers put entries straight
 * into `data` (a commutative write); a dequeue request takes the oldest entry that no decision
 * assigned yet, records `assigned[entry] = consumer` in the server state (a JSON merge patch, in
 * the same transaction as the decision) and replies with the entry's id. The consumer already
 * holds the payload in its replica, so the reply carries only the id. Entries stay in `data`:
 * removing them there would be a write outside the decision, which a fenced decision could not
 * take back.
 */
export function sshipQueueHandler(server: Server): ServerHandler {
  return (msg, src): Json => {
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || msg.op !== 'dequeue') {
      throw new TypeError('expected { op: "dequeue" }')
    }
    const assigned = server.getState().assigned
    const taken = typeof assigned === 'object' && assigned !== null && !Array.isArray(assigned) ? assigned : {}
    let best: { id: string; k: number } | undefined
    server.data.forEach((value, id) => {
      if (taken[id] !== undefined) return
      const k = (value as Partial<QueueEntry>).k
      if (typeof k !== 'number') return
      if (best === undefined || k < best.k || (k === best.k && id < best.id)) best = { id, k }
    })
    if (best === undefined) return { entry: null }
    server.commitChange({ assigned: { [best.id]: src } })
    return { entry: best.id }
  }
}
