import type { Conflict, RequestState } from '@sship/core'

/**
 * How the public API reports that an acknowledged request was re-decided (issue 12: "reported
 * once via `onConflict` and on the sender's request state; `getRequests()` shows it as
 * re-decided with both replies"). Both must hold: the sender's connection heard an `onConflict`
 * for the request, and its final request state carries `redecided` (the earlier answer) beside
 * the reply that counts.
 */
export function wasReported(requestId: string, conflicts: readonly Conflict[], final: RequestState | undefined): boolean {
  return conflicts.some((c) => c.request === requestId) && showsRedecided(final)
}

/** True if the sender's request state says it was re-decided, naming the earlier decision. */
export function showsRedecided(state: RequestState | undefined): boolean {
  return state?.redecided !== undefined && typeof state.redecided.decision === 'string' && state.redecided.decision !== state.decision
}
