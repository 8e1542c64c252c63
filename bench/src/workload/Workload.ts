/** Payload sizes of the study, in bytes (the proposal's 64 B, 1 KiB and 16 KiB). */
export const PAYLOAD_SIZES = [64, 1024, 16384] as const

/** What a workload generator needs: the queue's devices, its rate and its seed. */
export interface WorkloadSpec {
  /** Devices in the app; `consumers + producers === devices`. */
  readonly devices: number
  /** Devices that dequeue (the TAs of the office-hours queue). */
  readonly consumers: number
  /** Bytes of each entry's payload. */
  readonly payloadBytes: number
  /** Queue operations to generate. */
  readonly ops: number
  /** Mean rate of operations over the whole app, per second. */
  readonly opsPerSecond: number
  /** Probability that an operation is an enqueue (the rest are dequeues). */
  readonly enqueueShare: number
  /** Seed of every random choice. */
  readonly seed: number
}

/** A producer's write of one entry: commutative, straight into the CRDT. */
export interface EnqueueOp {
  readonly kind: 'enqueue'
  /** Milliseconds from the start of the workload. */
  readonly at: number
  /** Index of the device that acts, in `[0, devices)`. */
  readonly device: number
  /** The entry's id, unique in the workload. */
  readonly entry: string
  /** The entry's position in enqueue order (0, 1, …). */
  readonly index: number
}

/** A consumer's request for the next entry: decided by the server. */
export interface DequeueOp {
  readonly kind: 'dequeue'
  readonly at: number
  readonly device: number
  /** The request's id, unique in the workload. */
  readonly request: string
}

/** One queue operation. */
export type QueueOp = EnqueueOp | DequeueOp

/** A generated workload: the operations in time order, and who produces and consumes. */
export interface Workload {
  readonly spec: WorkloadSpec
  /** Device indices that enqueue. */
  readonly producers: readonly number[]
  /** Device indices that dequeue. */
  readonly consumers: readonly number[]
  /** Operations sorted by `at`. */
  readonly ops: readonly QueueOp[]
  /** Time of the last operation. */
  readonly durationMs: number
}
