import { seededRandom } from '@sship/core/internals'
import type { QueueOp, Workload, WorkloadSpec } from './Workload.js'

/** The default number of consumers for `devices` devices: one in five, at least one. */
export function defaultConsumers(devices: number): number {
  return Math.max(1, Math.min(devices - 1, Math.round(devices / 5)))
}

/**
 * Generates the proposal's workload: `consumers` devices dequeue and the other devices enqueue,
 * each operation at a uniformly random time, by a uniformly random device of its kind. The
 * consumers are the last devices, so device 0 (the initial host) is a producer. Pure: the same
 * spec always gives the same operations.
 */
export function generateWorkload(spec: WorkloadSpec): Workload {
  if (!(spec.devices >= 2) || !(spec.consumers >= 1) || spec.consumers >= spec.devices) {
    throw new RangeError(`a workload needs 2+ devices and 1..devices-1 consumers, got ${spec.devices} and ${spec.consumers}`)
  }
  if (!(spec.opsPerSecond > 0) || !(spec.ops >= 0)) throw new RangeError('ops must be >= 0 and opsPerSecond > 0')
  const random = seededRandom(spec.seed)
  const producers = Array.from({ length: spec.devices - spec.consumers }, (_, i) => i)
  const consumers = Array.from({ length: spec.consumers }, (_, i) => spec.devices - spec.consumers + i)
  const durationMs = (spec.ops / spec.opsPerSecond) * 1000
  const times = Array.from({ length: spec.ops }, () => random.next() * durationMs).sort((a, b) => a - b)
  const pick = (from: readonly number[]): number => from[Math.floor(random.next() * from.length)] ?? 0
  const ops: QueueOp[] = []
  let enqueued = 0
  let dequeued = 0
  for (const at of times) {
    const t = Math.round(at * 10) / 10
    if (random.next() < spec.enqueueShare) {
      const index = enqueued++
      ops.push({ kind: 'enqueue', at: t, device: pick(producers), entry: `e${spec.seed.toString(36)}.${index}`, index })
    } else {
      ops.push({ kind: 'dequeue', at: t, device: pick(consumers), request: `d${dequeued++}` })
    }
  }
  return { spec, producers, consumers, ops, durationMs: ops.length === 0 ? 0 : (ops[ops.length - 1]?.at ?? 0) }
}
