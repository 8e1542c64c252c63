/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly __timer: true } | number | object

/**
 * Time source and one-shot timers. Every timeout in sship goes through a `Clock`, so tests run
 * the whole system under virtual time (see `VirtualClock` in `@sship/core/testing`).
 */
export interface Clock {
  /** Milliseconds on a monotonic time line (only differences are meaningful). */
  now(): number
  /** Runs `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle
  /** Cancels a timer; cancelling a fired or unknown timer does nothing. */
  clearTimeout(handle: TimerHandle): void
}

/** The real clock: `performance.now()` and the host's timers. Timers do not keep Node alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms) as unknown as { unref?: () => void }
    handle.unref?.()
    return handle as TimerHandle
  },
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0])
}
