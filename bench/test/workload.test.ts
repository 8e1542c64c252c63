import { describe, expect, it } from 'vitest'
import { defaultConsumers, generateWorkload } from '../src/workload/generateWorkload.js'
import { makePayload } from '../src/workload/payload.js'
import type { WorkloadSpec } from '../src/workload/Workload.js'

const spec: WorkloadSpec = { devices: 20, consumers: 4, payloadBytes: 1024, ops: 200, opsPerSecond: 20, enqueueShare: 0.6, seed: 42 }

describe('generateWorkload', () => {
  it('gives the same operations for the same seed', () => {
    expect(generateWorkload(spec)).toEqual(generateWorkload({ ...spec }))
  })

  it('gives other operations for another seed', () => {
    expect(generateWorkload({ ...spec, seed: 43 }).ops).not.toEqual(generateWorkload(spec).ops)
  })

  it('has producers enqueue and consumers dequeue, in time order, at the requested rate', () => {
    const w = generateWorkload(spec)
    expect(w.ops).toHaveLength(200)
    expect(w.producers).toHaveLength(16)
    expect(w.consumers).toEqual([16, 17, 18, 19])
    for (const op of w.ops) expect((op.kind === 'enqueue' ? w.producers : w.consumers).includes(op.device)).toBe(true)
    for (let i = 1; i < w.ops.length; i++) expect(w.ops[i]!.at).toBeGreaterThanOrEqual(w.ops[i - 1]!.at)
    expect(w.durationMs).toBeLessThanOrEqual(10_000)
    expect(w.durationMs).toBeGreaterThan(9_000)
    const enq = w.ops.filter((o) => o.kind === 'enqueue')
    expect(enq.length / 200).toBeGreaterThan(0.45)
    expect(enq.length / 200).toBeLessThan(0.75)
    expect(new Set(enq.map((o) => o.kind === 'enqueue' && o.entry)).size).toBe(enq.length)
    expect(enq.map((o) => (o.kind === 'enqueue' ? o.index : -1))).toEqual(enq.map((_, i) => i))
  })

  it('refuses a queue without a consumer or producer', () => {
    expect(() => generateWorkload({ ...spec, consumers: 0 })).toThrow(RangeError)
    expect(() => generateWorkload({ ...spec, consumers: 20 })).toThrow(RangeError)
  })

  it('makes one consumer in five by default', () => {
    expect([2, 5, 10, 20, 50].map(defaultConsumers)).toEqual([1, 1, 2, 4, 10])
  })
})

describe('makePayload', () => {
  it('is exactly the requested number of ASCII bytes, the same for the same seed and index', () => {
    for (const size of [64, 1024, 16384]) {
      const p = makePayload(1, 7, size)
      expect(new TextEncoder().encode(p).byteLength).toBe(size)
      expect(makePayload(1, 7, size)).toBe(p)
    }
    expect(makePayload(1, 8, 64)).not.toBe(makePayload(1, 7, 64))
  })
})
