import type { WifiMode } from './wifiPlan.js'
import type { RoleChange } from './roleTimeline.js'
import type { WifiProfileName } from './WifiProfile.js'

/** What one run of the Wi-Fi study measured. */
export interface WifiRunResult {
  readonly mode: WifiMode
  readonly profile: WifiProfileName
  readonly peers: number
  readonly seed: number
  /** Length of the phase without kills, in minutes. */
  readonly minutes: number
  /** Role changes in that phase outside the windows a cut excuses. */
  readonly falseRoleChanges: number
  /** Every role change of that phase (false or excused), for the report. */
  readonly roleChanges: readonly RoleChange[]
  /** Coordinator kills attempted. */
  readonly kills: number
  /** Per kill that ended in agreement: kill → every survivor follows the new coordinator (ms). */
  readonly failoverMs: readonly number[]
  /** Kills after which the survivors did not agree within the bound. */
  readonly failoverTimeouts: number
  readonly acked: number
  readonly lost: number
  readonly duplicates: number
  readonly doubleAcked: number
  /** Cuts and freezes applied during the phase without kills. */
  readonly cuts: number
  readonly freezes: number
  /** Why the numbers may be incomplete (no agreement, a ledger that did not settle), if anything. */
  readonly notes: readonly string[]
  readonly wallSeconds: number
}
