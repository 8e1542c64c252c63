import { percentile } from '../measure/summarize.js'
import type { WifiRunResult } from './WifiRunResult.js'

/** One row of the last line's `profiles`: exactly the fields issue 13 asks for. */
export interface WifiProfileSummary {
  /** The profile; simulated runs are named `sim:<profile>`. */
  readonly name: string
  readonly peers: number
  readonly minutes: number
  readonly falseRoleChanges: number
  readonly failoverP50Ms: number | null
  readonly failoverP99Ms: number | null
  readonly doubleAcked: number
  readonly lost: number
  readonly duplicates: number
}

/** The last line of `npm run bench -- --wifi`. */
export interface WifiSummary {
  readonly falseRoleChanges: number
  readonly doubleAcked: number
  readonly profiles: readonly WifiProfileSummary[]
  readonly lost: number
  readonly duplicates: number
}

const round1 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10)

/**
 * The last line: one row per run (real runs named by their profile, simulated ones
 * `sim:<profile>`) and the totals over all rows. A kill whose failover never completed counts as
 * the bound (so it lands in the p99), never silently as nothing.
 */
export function wifiSummary(runs: readonly WifiRunResult[], timeoutMs = 30_000): WifiSummary {
  const profiles = runs.map((r): WifiProfileSummary => {
    const samples = [...r.failoverMs, ...Array.from({ length: r.failoverTimeouts }, () => timeoutMs)]
    return {
      name: r.mode === 'sim' ? `sim:${r.profile}` : r.profile,
      peers: r.peers,
      minutes: Math.round(r.minutes * 100) / 100,
      falseRoleChanges: r.falseRoleChanges,
      failoverP50Ms: round1(percentile(samples, 50)),
      failoverP99Ms: round1(percentile(samples, 99)),
      doubleAcked: r.doubleAcked,
      lost: r.lost,
      duplicates: r.duplicates
    }
  })
  const sum = (f: (p: WifiProfileSummary) => number): number => profiles.reduce((s, p) => s + f(p), 0)
  return {
    falseRoleChanges: sum((p) => p.falseRoleChanges),
    doubleAcked: sum((p) => p.doubleAcked),
    profiles,
    lost: sum((p) => p.lost),
    duplicates: sum((p) => p.duplicates)
  }
}
