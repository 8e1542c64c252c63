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

/*
 * Bounds of the waits in tests of real processes. Every wait ends as soon as its condition holds,
 * so a bound costs nothing when things work; it only says when to give up. They are set for a
 * loaded machine (issue 13: `test:lan` passes at load average 8, see scripts/burn.sh), where a
 * `sship` child takes seconds to start (tsx compiles its sources; PBKDF2 derives a room secret's
 * keys) and every step of a role change waits for a starved process to be scheduled.
 */
/** A CLI process starts and takes its first role (or prints its first record). */
export const START_MS = 60_000
/** A room of processes settles after a change: links, agreement, failover, failback, requests decided. */
export const SETTLE_MS = 30_000
/** The timeout of a test that starts several CLI processes and waits for a few such steps. */
export const CLI_TEST_MS = 300_000
