/** Resolves after `ms` real milliseconds (tests of real sockets only). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Polls `condition` every `everyMs` until it holds or `timeoutMs` passes; resolves with the
 * time it took, or rejects with `what` and the last value of `describe()`.
 */
export async function waitFor(
  what: string, condition: () => boolean, timeoutMs: number, describe: () => unknown = () => '', everyMs = 20
): Promise<number> {
  const start = performance.now()
  for (;;) {
    if (condition()) return performance.now() - start
    if (performance.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last state: ${JSON.stringify(describe())}`)
    }
    await sleep(everyMs)
  }
}
