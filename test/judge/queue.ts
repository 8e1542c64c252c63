import { mergePatch, type Json, type JsonObject, type Server, type ServerHandler } from '@sship/core'

/**
 * The judge's server code: a FIFO queue whose operations do not commute. The state is
 * `{ items: { [index]: item }, head, tail }`; an enqueue writes at `tail`, a dequeue pops the item
 * at `head` and replies with it. `step` is pure, so the judge can re-run it over the final
 * history (the reference model) and compare with what the replicas folded.
 */
export interface QueueState {
  readonly items: Readonly<Record<string, string>>
  readonly head: number
  readonly tail: number
}

/** A request of the judge's queue. */
export type QueueMsg = { readonly op: 'enq'; readonly item: string } | { readonly op: 'deq' }

/** The state before any request. */
export const EMPTY_QUEUE: QueueState = { items: {}, head: 0, tail: 0 }

/** Reads a queue from a server state (`getState()`); an empty state is the empty queue. */
export function readQueue(state: JsonObject): QueueState {
  const items = state.items
  const head = state.head
  const tail = state.tail
  const out: Record<string, string> = {}
  if (typeof items === 'object' && items !== null && !Array.isArray(items)) {
    for (const [k, v] of Object.entries(items)) out[k] = typeof v === 'string' ? v : JSON.stringify(v)
  }
  return { items: out, head: typeof head === 'number' ? head : 0, tail: typeof tail === 'number' ? tail : 0 }
}

/** Parses a request message; undefined if it is not a queue request. */
export function parseMsg(msg: Json): QueueMsg | undefined {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return undefined
  if (msg.op === 'deq') return { op: 'deq' }
  if (msg.op === 'enq' && typeof msg.item === 'string') return { op: 'enq', item: msg.item }
  return undefined
}

/** One request on `state`: the merge patch the server commits (null: none) and the reply. */
export function step(state: QueueState, msg: QueueMsg): { patch: JsonObject | null; reply: JsonObject } {
  if (msg.op === 'enq') {
    return {
      patch: { items: { [String(state.tail)]: msg.item }, tail: state.tail + 1 },
      reply: { at: state.tail, len: state.tail + 1 - state.head }
    }
  }
  if (state.head >= state.tail) return { patch: null, reply: { empty: true } }
  const item = state.items[String(state.head)] ?? null
  return { patch: { items: { [String(state.head)]: null }, head: state.head + 1 }, reply: { item, at: state.head } }
}

/** Applies a patch to a queue state, as the replicas' fold does (JSON Merge Patch). */
export function applyPatch(state: QueueState, patch: JsonObject | null): QueueState {
  if (patch === null) return state
  return readQueue(mergePatch(state as unknown as JsonObject, patch) as JsonObject)
}

/** The handler every judge server registers. */
export function queueHandler(server: Server): ServerHandler {
  return (msg) => {
    const parsed = parseMsg(msg)
    if (parsed === undefined) throw new TypeError('expected { op: "enq", item } or { op: "deq" }')
    const { patch, reply } = step(readQueue(server.getState()), parsed)
    if (patch !== null) server.commitChange(patch)
    return reply
  }
}
