import type { Json, JsonObject, Server, ServerHandler } from '@sship/core'

/** A request of the history workload: enqueue a payload, or take the oldest one. */
export type FifoRequest = { readonly op: 'enq'; readonly id: string; readonly v: string } | { readonly op: 'deq' }

const num = (v: Json | undefined): number => (typeof v === 'number' ? v : 0)

/**
 * The history bench's server code: a FIFO queue in the server state
 * (`{ head, tail, n, items: { [slot]: { id, v } } }`). Half the requests enqueue, half dequeue,
 * so the state stays nearly empty while the history grows: what a queue used all semester does.
 * `n` counts every decided request, so a request decided twice shows up as a duplicate.
 */
export function fifoServer(server: Server): ServerHandler {
  return (msg): Json => {
    const state: JsonObject = server.getState()
    const head = num(state.head)
    const tail = num(state.tail)
    const n = num(state.n) + 1
    const m = msg as Partial<Record<string, Json>>
    if (m.op === 'enq' && typeof m.id === 'string' && typeof m.v === 'string') {
      server.commitChange({ tail: tail + 1, n, items: { [String(tail)]: { id: m.id, v: m.v } } })
      return { ok: true }
    }
    if (m.op === 'deq') {
      if (head >= tail) {
        server.commitChange({ n })
        return { ok: false }
      }
      const items = state.items as JsonObject | undefined
      const item = items?.[String(head)] ?? null
      server.commitChange({ head: head + 1, n, items: { [String(head)]: null } })
      return { ok: true, item }
    }
    throw new TypeError('expected { op: "enq" | "deq" }')
  }
}
