import type { PeerId } from '../ids/ids.js'

/**
 * One frame delivered by a {@link MemoryNetwork} with tracing on. Two runs with the same seed
 * and the same script produce equal traces, entry for entry; that is the determinism check.
 */
export interface TraceEntry {
  /** Virtual time of delivery, in milliseconds. */
  readonly t: number
  /** The sending peer. */
  readonly from: PeerId
  /** The receiving peer. */
  readonly to: PeerId
  /** The frame's length in bytes. */
  readonly bytes: number
  /** {@link fnv1a32} of the frame's bytes. */
  readonly hash: number
}
