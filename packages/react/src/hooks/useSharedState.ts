import type { JsonObject } from '@sship/core'
import { useCallback } from 'react'
import { useSshipContext } from '../provider/useSshipContext.js'
import { useSyncExternalStoreWithSelector } from 'use-sync-external-store/with-selector'

const whole = (state: JsonObject): JsonObject => state

/**
 * The server state (`connection.getState()`): what the coordinators' decisions fold to, the
 * same on every replica. Only the server code writes it (`server.commitState` / `commitChange`).
 * Without a selector, the component re-renders whenever any of it changes.
 */
export function useSharedState(): JsonObject
/**
 * A part of the server state: `selector(connection.getState())`. The component re-renders only
 * when the selected value changes by `isEqual` (default `Object.is`; pass {@link shallowEqual}
 * when the selector builds a new array or object). `selector` may be an inline function.
 *
 * @example
 * ```tsx
 * const served = useSharedState((s) => s.served)
 * ```
 */
export function useSharedState<T>(selector: (state: JsonObject) => T, isEqual?: (a: T, b: T) => boolean): T
export function useSharedState(selector?: (state: JsonObject) => unknown, isEqual?: (a: unknown, b: unknown) => boolean): unknown {
  const { connection } = useSshipContext('useSharedState')
  const subscribe = useCallback((onChange: () => void) => connection.subscribeState(onChange), [connection])
  const getSnapshot = useCallback(() => connection.getState(), [connection])
  return useSyncExternalStoreWithSelector(subscribe, getSnapshot, getSnapshot, selector ?? whole, isEqual)
}
