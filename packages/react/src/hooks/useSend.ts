import type { Json, RequestState, SendResult } from '@sship/core'
import { useCallback, useMemo, useSyncExternalStore } from 'react'
import { useSshipContext } from '../provider/useSshipContext.js'

/** What {@link useSend} returns. */
export interface UseSendResult {
  /**
   * Sends `msg` to the server code (`connection.send`). The promise resolves once the request
   * is decided, with `status: 'acknowledged'` or `'failed'`; it never rejects. Stable identity.
   */
  readonly send: (msg: Json) => Promise<SendResult>
  /** Every request sent through this connection, oldest first, each `pending`, `acknowledged` or `failed`. */
  readonly requests: readonly RequestState[]
}

/**
 * Sends requests and shows where they stand. A request is durable from the moment it is sent:
 * it survives failovers and is decided exactly once.
 *
 * @example
 * ```tsx
 * const { send, requests } = useSend()
 * return <button onClick={() => void send({ op: 'next' })}>Next ({requests.length})</button>
 * ```
 */
export function useSend(): UseSendResult {
  const { connection } = useSshipContext('useSend')
  const subscribe = useCallback((onChange: () => void) => connection.subscribeRequests(onChange), [connection])
  const getSnapshot = useCallback(() => connection.getRequests(), [connection])
  const requests = useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
  const send = useCallback((msg: Json) => connection.send(msg), [connection])
  return useMemo(() => ({ send, requests }), [send, requests])
}
