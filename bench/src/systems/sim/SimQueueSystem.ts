import type { VirtualClock } from '@sship/core/testing'
import type { Traffic } from '../../measure/Traffic.js'
import type { QueueEntry } from '../queue/QueueEntry.js'
import type { SystemId } from '../SystemId.js'

/** What the simulation harness knows about the role after the server was killed. */
export interface RoleTimes {
  /** First time a device suspected (or noticed the loss of) the old server. */
  readonly detectedAt: number | null
  /** The device serving now, if any. */
  readonly server: string | null
  /** Time from which every live device has pointed at {@link RoleTimes.server}. */
  readonly repointedAt: number | null
}

/**
 * One system of the study running on the in-memory network under virtual time, driven by the
 * simulation harness. Devices are numbered `0 .. n-1`; the implementation reports operations
 * into the `OpBook` it was built with.
 */
export interface SimQueueSystem {
  readonly id: SystemId
  readonly clock: VirtualClock
  readonly devices: number
  /** Starts every device and waits until they all follow a server; `progress` hears how the join goes. */
  start(progress?: (detail: string) => void): void
  /** True while device `i` runs. */
  isAlive(device: number): boolean
  /** Device `i`'s current incarnation. */
  incarnation(device: number): number
  /** Device `i` enqueues `entry`. */
  enqueue(device: number, entry: QueueEntry): void
  /** Device `i` sends dequeue `request`. */
  dequeue(device: number, request: string): void
  /** Bytes sent so far by everyone (including stopped incarnations), by category. */
  traffic(): Traffic
  /** Bytes handed to the network so far (the cross-check of {@link SimQueueSystem.traffic}). */
  networkBytes(): number
  /** The GUID of the device serving now, or null. */
  server(): string | null
  /** Crashes the serving device (or the central server); returns its GUID. */
  killServer(): string
  /** Brings the killed device back with an empty replica; false if the system cannot. */
  restartKilled(): boolean
  /** See {@link RoleTimes}; `victim` is the GUID killed at `since`. */
  roleTimes(since: number, victim: string): RoleTimes
  /** How many live devices point at each server (`none` for none). */
  pointsAt(): Readonly<Record<string, number>>
  /** The latest term's epoch seen by any live device (0 for client-server). */
  epoch(): number
  /** Entries in the authoritative queue state that a live server holds, or undefined with no server. */
  finalEntries(): ReadonlySet<string> | undefined
}
