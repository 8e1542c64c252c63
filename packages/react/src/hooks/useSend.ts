import { SendStatus, type Json, type RequestState, type SendResult } from '@sship/core'
import { useCallback, useMemo, useState, useSyncExternalStore } from 'react'
import { useSshipContext } from '../provider/useSshipContext.js'

/** Where {@link useSend}'s latest call stands: `idle` before the first call (or after `reset`). */
export type UseSendStatus = 'idle' | SendStatus

/** What {@link useSend} returns. */
export interface UseSendResult {
  /**
   * Sends `msg` to the server code (`connection.send`). The promise resolves once the request
   * is decided, with `status: 'acknowledged'` or `'failed'`; it never rejects. Stable identity.
   */
  readonly send: (msg: Json) => Promise<SendResult>
  /** The status of this hook's latest call: `idle`, `pending`, `acknowledged` or `failed`. */
  readonly status: UseSendStatus
  /** `status === 'pending'`. */
  readonly isPending: boolean
  /** The latest call's reply, once it is acknowledged. */
  readonly reply: Json | undefined
  /** Why the latest call failed, once it failed. */
  readonly error: string | undefined
  /** This hook's calls since mount (or `reset`), oldest first, each with its own status and reply. */
  readonly calls: readonly RequestState[]
  /** Every request sent through this connection (by any component), oldest first. */
  readonly requests: readonly RequestState[]
  /** Back to `idle`: forgets this hook's calls (the requests themselves stay decided). Stable identity. */
  readonly reset: () => void
}

/** One call of this hook: the id of its request, or (a stopped connection) its failure. */
type Call = string | RequestState

/**
 * Sends requests and shows where each one stands, as TanStack Query's `useMutation` does: the
 * latest call's `status`, `reply` and `error`, and every call of this component in `calls`. A
 * request is durable from the moment it is sent: it survives failovers and is decided exactly
 * once, so `pending` may last through a failover and still end `acknowledged`.
 *
 * @example
 * ```tsx
 * const { send, status, reply } = useSend()
 * return <button disabled={status === 'pending'} onClick={() => void send({ op: 'next' })}>
 *   Next {status === 'acknowledged' ? `(got ${String(reply)})` : ''}</button>
 * ```
 */
export function useSend(): UseSendResult {
  const { connection } = useSshipContext('useSend')
  const subscribe = useCallback((onChange: () => void) => connection.subscribeRequests(onChange), [connection])
  const getSnapshot = useCallback(() => connection.getRequests(), [connection])
  const requests = useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
  const [own, setOwn] = useState<readonly Call[]>([])

  const send = useCallback((msg: Json): Promise<SendResult> => {
    const before = connection.getRequests()
    const result = connection.send(msg)
    // A send records its request synchronously, as the last entry; a stopped connection records none.
    const after = connection.getRequests()
    const recorded = after !== before ? after[after.length - 1] : undefined
    if (recorded !== undefined) {
      setOwn((calls) => [...calls, recorded.id])
    } else {
      void result.then((r) => {
        if (r.status === 'failed') setOwn((calls) => [...calls, { id: r.id, msg, status: SendStatus.Failed, error: r.error.message }])
      })
    }
    return result
  }, [connection])
  const reset = useCallback(() => setOwn([]), [])

  const calls = useMemo(() => {
    if (own.length === 0) return NO_CALLS
    const byId = new Map(requests.map((r) => [r.id, r]))
    return own.flatMap((c) => {
      if (typeof c !== 'string') return [c]
      const state = byId.get(c)
      return state === undefined ? [] : [state]
    })
  }, [own, requests])

  return useMemo(() => {
    const last = calls[calls.length - 1]
    return {
      send, reset, calls, requests,
      status: last?.status ?? 'idle',
      isPending: last?.status === SendStatus.Pending,
      reply: last?.reply,
      error: last?.error
    }
  }, [send, reset, calls, requests])
}

const NO_CALLS: readonly RequestState[] = []
