import type { CoordinatorSnapshot, PeerId } from '@sship/core'
import { useCallback } from 'react'
import { useSshipContext } from '../provider/useSshipContext.js'
import { useSyncExternalStoreWithSelector } from 'use-sync-external-store/with-selector'

/** What {@link usePeers} returns. */
export interface Peers {
  /** The successorship list: eligible peers in order; the first alive one is the server. */
  readonly successors: readonly PeerId[]
  /** Peers the coordinator last reported alive (including itself). */
  readonly alive: readonly PeerId[]
}

const selectPeers = (s: CoordinatorSnapshot): Peers => ({ successors: s.successors, alive: s.alive })

const sameList = (a: readonly PeerId[], b: readonly PeerId[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

const samePeers = (a: Peers, b: Peers): boolean => sameList(a.successors, b.successors) && sameList(a.alive, b.alive)

/**
 * The successorship list and the alive peers. Re-renders only when either list changes in
 * content (not on every coordinator change), and returns the same object until then.
 */
export function usePeers(): Peers {
  const { connection } = useSshipContext('usePeers')
  const subscribe = useCallback((onChange: () => void) => connection.subscribe(onChange), [connection])
  const getSnapshot = useCallback(() => connection.getSnapshot(), [connection])
  return useSyncExternalStoreWithSelector(subscribe, getSnapshot, getSnapshot, selectPeers, samePeers)
}
