import type { Json, JsonObject, Server, ServerHandler } from '@sship/core'
import { DataKey } from '../queue/dataKeys.js'
import { queueView } from '../queue/queueView.js'
import type { QueueEntry } from '../queue/QueueEntry.js'

/** The app's name on the network (the sship app, the mDNS service's `app=`, the signaling room). */
export const QUEUE_APP = 'sship-queue'
/** The server code's version: peers with another version are never eligible. */
export const QUEUE_CODE_VERSION = '1'

/**
 * Failure-detector timing of every queue peer (host and browsers). Core's default suspicion
 * (250 ms) suits Node peers; browsers stall longer than that now and then (a page loading in
 * the same browser, garbage collection, a tab in the background whose timers run once a second),
 * and a stalled page would otherwise claim the role and hand it back. A coordinator that crashes
 * is still noticed at once, through its links closing; only a silent loss (Wi-Fi gone, power off)
 * waits for the suspicion timeout.
 */
export const QUEUE_TIMING = { heartbeatMs: 100, suspectMs: 1000 } as const

/** Requests the server code understands. */
export type QueueRequest = { readonly op: 'dequeue'; readonly ta: string }

/** The reply to a dequeue. */
export type DequeueReply =
  | { readonly ok: true; readonly entry: QueueEntry }
  | { readonly ok: false; readonly reason: 'empty' | 'bad-request' }

/** Parses a request; undefined if it is not one. */
export function parseQueueRequest(msg: Json): QueueRequest | undefined {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return undefined
  if (msg.op === 'dequeue' && typeof msg.ta === 'string' && msg.ta.length > 0 && msg.ta.length <= 60) return { op: 'dequeue', ta: msg.ta }
  return undefined
}

/**
 * The one non-commutative operation: hand the oldest waiting student to a TA. Pure: reads the
 * shared data (as JSON) and the server state, returns the chosen entry and the state change.
 */
export function decideDequeue(data: Readonly<Record<string, unknown>>, state: JsonObject, ta: string): { reply: DequeueReply; change?: JsonObject } {
  const next = queueView(data, state).waiting[0]
  if (next === undefined) return { reply: { ok: false, reason: 'empty' } }
  const { status: _status, ...entry } = next
  // Assignments of entries that were forgotten (see forgetFinished) go too: the state stays as
  // small as the queue on screen, not as long as the semester.
  const assigned: JsonObject = {}
  const before = state.assigned
  if (typeof before === 'object' && before !== null && !Array.isArray(before)) {
    for (const id of Object.keys(before)) if (data[DataKey.entry(id)] === undefined) assigned[id] = null
  }
  assigned[entry.id] = ta
  return { reply: { ok: true, entry }, change: { assigned } }
}

/**
 * The queue's server code, shared by the Node host and every browser (all are eligible). It runs
 * only on whichever peer is the coordinator, once per request, and its state change is recorded
 * in the same transaction as the decision: a student can never be handed to two TAs, across
 * failovers too (the next coordinator folds the same decisions before it decides anything).
 *
 * @example
 * ```ts
 * const server = initServer(QUEUE_APP, { transport, version: QUEUE_CODE_VERSION })
 * server.onReceive(queueServer(server))
 * ```
 */
export function queueServer(server: Server): ServerHandler {
  return (msg) => {
    const request = parseQueueRequest(msg)
    if (request === undefined) return { ok: false, reason: 'bad-request' } satisfies DequeueReply
    const { reply, change } = decideDequeue(server.data.toJSON() as Record<string, unknown>, server.getState(), request.ta)
    if (change !== undefined) server.commitChange(change)
    return reply as unknown as Json
  }
}
