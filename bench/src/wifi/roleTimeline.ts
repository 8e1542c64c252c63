/**
 * What each peer said about the coordinator, as seen from outside (`sship join --json` status
 * records, or a simulated peer's snapshot), and the role changes and failover times read from it.
 * Pure functions: the real and the simulated runs share them.
 */

/** One status observation: at `at` (ms, the bench's clock), `peer` followed `coordinator` at `epoch`. */
export interface RoleObservation {
  readonly at: number
  readonly peer: string
  readonly coordinator: string | null
  readonly epoch: number
  readonly failoverInProgress: boolean
}

/** A time window `[from, to]` in which role changes have a cause (a kill, a cut, a heal). */
export interface Window {
  readonly from: number
  readonly to: number
}

/** A term (epoch and coordinator) that some peer followed for the first time. */
export interface RoleChange {
  readonly at: number
  readonly epoch: number
  readonly coordinator: string
  /** True when it began inside an excused window. */
  readonly excused: boolean
}

const termKey = (o: { epoch: number; coordinator: string | null }): string => `${o.epoch}/${o.coordinator ?? ''}`

/**
 * Every term first followed by some peer during `[from, to]`, in time order, except the terms
 * already followed before `from`. A term counts once some peer follows it with no failover in
 * progress (a claimant's passing view while it claims is not a term yet), and only if its epoch
 * is not below one already followed (a restarted peer replaying an old term changes nothing). A
 * claim that lost a tie-break still counts (someone followed it), and a failback is a role change
 * like any other. `observations` need not be sorted.
 */
export function roleChanges(observations: readonly RoleObservation[], from: number, to: number, excused: readonly Window[] = []): RoleChange[] {
  const seen = new Set<string>()
  const out: RoleChange[] = []
  let maxEpoch = -Infinity
  for (const o of [...observations].sort((a, b) => a.at - b.at)) {
    if (o.coordinator === null || o.failoverInProgress || o.epoch < maxEpoch) continue
    maxEpoch = o.epoch
    const key = termKey(o)
    if (seen.has(key)) continue
    seen.add(key)
    if (o.at < from || o.at > to) continue
    out.push({ at: o.at, epoch: o.epoch, coordinator: o.coordinator, excused: excused.some((w) => o.at >= w.from && o.at <= w.to) })
  }
  return out
}

/** The number of role changes in `[from, to]` outside every excused window: the false ones. */
export function falseRoleChanges(observations: readonly RoleObservation[], from: number, to: number, excused: readonly Window[] = []): number {
  return roleChanges(observations, from, to, excused).filter((c) => !c.excused).length
}

/**
 * Milliseconds from `killedAt` until every survivor follows one coordinator other than `killed`,
 * at one epoch, with no failover in progress; null if that never happened (by the last
 * observation). Survivors without any observation make it null too.
 */
export function failoverMs(observations: readonly RoleObservation[], killed: string, killedAt: number, survivors: readonly string[]): number | null {
  const latest = new Map<string, RoleObservation>()
  const sorted = [...observations].sort((a, b) => a.at - b.at)
  const agreed = (): boolean => {
    let first: RoleObservation | undefined
    for (const s of survivors) {
      const o = latest.get(s)
      if (o === undefined || o.coordinator === null || o.coordinator === killed || o.failoverInProgress) return false
      first ??= o
      if (o.coordinator !== first.coordinator || o.epoch !== first.epoch) return false
    }
    return true
  }
  for (const o of sorted) {
    latest.set(o.peer, o)
    if (o.at >= killedAt && agreed()) return o.at - killedAt
  }
  return null
}
