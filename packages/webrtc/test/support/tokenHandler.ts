import type { Server, ServerHandler } from '@sship/core'

/**
 * The server code of the failover tests (the same as `tokenCounter` of `@sship/core/testing`,
 * which a child process cannot import since that entry point loads vitest): `{ token }` counts
 * how often that token was decided, in the server state `seen`, and replies `{ token, n }`.
 * Exactly-once means every token ends with `n === 1`.
 */
export function tokenHandler(server: Server): ServerHandler {
  return (msg) => {
    const token = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? msg.token : undefined
    if (typeof token !== 'string') throw new TypeError('expected { token: string }')
    const seen = server.getState().seen
    const prev = typeof seen === 'object' && seen !== null && !Array.isArray(seen) ? seen[token] : undefined
    const n = (typeof prev === 'number' ? prev : 0) + 1
    server.commitChange({ seen: { [token]: n } })
    return { token, n }
  }
}
