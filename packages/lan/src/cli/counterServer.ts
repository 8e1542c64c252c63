import type { Json, Server, ServerHandler } from '@sship/core'

/** The request the built-in counter understands. */
export type CounterRequest = { readonly op: 'inc' } | { readonly op: 'get' }

/** The built-in counter's state, as committed to the server state. */
export interface CounterState {
  readonly count: number
}

/** The counter value in a server state (0 when unset). */
export function counterValue(state: { readonly [key: string]: Json | undefined }): number {
  const n = state.count
  return typeof n === 'number' ? n : 0
}

/**
 * The server code `sship join` runs: a counter. `{op:'inc'}` adds one (committed as the
 * server state `{count}`) and replies `{count}`; `{op:'get'}` replies `{count}`; anything
 * else throws, so the sender's request fails with the message.
 */
export function counterHandler(server: Server): ServerHandler {
  return (msg) => {
    const op = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? msg.op : undefined
    const count = counterValue(server.getState())
    if (op === 'inc') {
      server.commitChange({ count: count + 1 })
      return { count: count + 1 }
    }
    if (op === 'get') return { count }
    throw new Error(`unknown request ${JSON.stringify(msg)}: the built-in counter understands {"op":"inc"} and {"op":"get"}`)
  }
}
