import { useDebugValue, useEffect, useMemo, useRef, useSyncExternalStore } from 'react'

/**
 * `useSyncExternalStore` that returns `selector(snapshot)` and re-renders only when that
 * selection changes by `isEqual`. The same algorithm as React's
 * `use-sync-external-store/with-selector`, which React 19 does not export from `react`.
 *
 * `selector` and `isEqual` may be new functions on every render: the last selection is kept
 * across renders and returned again while `isEqual` holds, so its identity stays stable.
 */
export function useSyncExternalStoreWithSelector<S, T>(
  subscribe: (onChange: () => void) => () => void,
  getSnapshot: () => S,
  selector: (snapshot: S) => T,
  isEqual: (a: T, b: T) => boolean = Object.is
): T {
  // The selection last committed to the screen, so a new selector can keep its identity.
  const committed = useRef<{ readonly value: T } | null>(null)
  const getSelection = useMemo(() => {
    let memo: { snapshot: S; selection: T } | null = null
    const select = (snapshot: S): T => {
      if (memo === null) {
        let selection = selector(snapshot)
        if (committed.current !== null && isEqual(committed.current.value, selection)) selection = committed.current.value
        memo = { snapshot, selection }
        return selection
      }
      // useSyncExternalStore calls getSnapshot often; same snapshot, same answer, no selector run.
      if (Object.is(memo.snapshot, snapshot)) return memo.selection
      const selection = selector(snapshot)
      if (isEqual(memo.selection, selection)) {
        memo.snapshot = snapshot
        return memo.selection
      }
      memo = { snapshot, selection }
      return selection
    }
    return (): T => select(getSnapshot())
  }, [getSnapshot, selector, isEqual])
  const value = useSyncExternalStore(subscribe, getSelection, getSelection)
  useEffect(() => {
    committed.current = { value }
  }, [value])
  useDebugValue(value)
  return value
}
