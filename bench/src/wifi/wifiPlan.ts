import { WIFI_PROFILES, wifiProfile, type WifiProfile } from './WifiProfile.js'

/** Where a Wi-Fi run happens. */
export type WifiMode = 'real' | 'sim'

/** One run of the Wi-Fi study: a profile at `peers` peers, `quietMs` without kills, then `kills` coordinator kills. */
export interface WifiRunSpec {
  readonly mode: WifiMode
  readonly profile: WifiProfile
  readonly peers: number
  readonly quietMs: number
  readonly kills: number
  readonly seed: number
}

/** What `--wifi` was asked for. */
export interface WifiPlanOptions {
  readonly quick: boolean
  readonly seed: number
  /** Only these profiles (default all). */
  readonly profiles?: readonly string[]
  /** Only these peer counts (default 5 and 20). */
  readonly peers?: readonly number[]
  /** Override the phase without kills, in minutes. */
  readonly minutes?: number
  /** Override the number of kills. */
  readonly kills?: number
  readonly simOnly: boolean
  readonly realOnly: boolean
}

/** Full form: 10 minutes per profile and size without kills, then 10 kills. */
export const FULL_QUIET_MS = 10 * 60_000
export const FULL_KILLS = 10

/** The real profiles of the quick form: the three that need real processes and a real switch most. */
const QUICK_REAL: Readonly<Record<string, { quietMs: number; kills: number }>> = {
  busy: { quietMs: 20_000, kills: 3 },
  cut: { quietMs: 30_000, kills: 1 },
  sleepy: { quietMs: 25_000, kills: 1 }
}

/**
 * The runs of `--wifi`. Full: every profile at 5 and 20 peers, in the simulation and on real
 * processes, 10 minutes without kills then 10 kills each. Quick (under 5 minutes on a shared
 * 2-core machine): every profile in the simulation at 5 and 20 peers (20 virtual seconds without
 * kills, 3 kills), then real processes at 5 peers for `busy` (20 s, 3 kills), `cut` (30 s with
 * one cut, 1 kill) and `sleepy` (25 s with one freeze, 1 kill). `--profiles`, `--peers`,
 * `--minutes` and `--kills` override the choice (then every listed profile runs on both).
 */
export function wifiPlan(o: WifiPlanOptions): WifiRunSpec[] {
  const profiles = o.profiles === undefined ? WIFI_PROFILES : o.profiles.map(wifiProfile)
  const sizes = o.peers ?? [5, 20]
  const runs: WifiRunSpec[] = []
  let seed = o.seed
  if (!o.realOnly) {
    for (const profile of profiles) {
      for (const peers of sizes) {
        runs.push({ mode: 'sim', profile, peers, quietMs: minutes(o, o.quick ? 20_000 : FULL_QUIET_MS), kills: o.kills ?? (o.quick ? 3 : FULL_KILLS), seed: seed++ })
      }
    }
  }
  if (!o.simOnly) {
    for (const profile of profiles) {
      const quick = QUICK_REAL[profile.name]
      if (o.quick && o.profiles === undefined && quick === undefined) continue
      for (const peers of o.quick && o.peers === undefined ? [5] : sizes) {
        runs.push({ mode: 'real', profile, peers, quietMs: minutes(o, o.quick ? (quick?.quietMs ?? 20_000) : FULL_QUIET_MS), kills: o.kills ?? (o.quick ? (quick?.kills ?? 3) : FULL_KILLS), seed: seed++ })
      }
    }
  }
  return runs
}

const minutes = (o: WifiPlanOptions, fallback: number): number => (o.minutes === undefined ? fallback : Math.round(o.minutes * 60_000))
