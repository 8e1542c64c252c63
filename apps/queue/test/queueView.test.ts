import { seededRandom, type Json } from '@sship/core'
import { describe, expect, it } from 'vitest'
import { DataKey } from '../src/queue/dataKeys.js'
import { enqueue, forgetFinished, leave } from '../src/queue/queueWrites.js'
import { EntryStatus, positionOf, queueView } from '../src/queue/queueView.js'
import { decideDequeue, parseQueueRequest } from '../src/server/queueServer.js'

/** A plain map standing in for the shared `Y.Map`, with `toJSON` like it. */
class PlainMap {
  readonly m = new Map<string, unknown>()
  set(k: string, v: unknown): unknown {
    this.m.set(k, v)
    return v
  }
  has(k: string): boolean {
    return this.m.has(k)
  }
  delete(k: string): boolean {
    return this.m.delete(k)
  }
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.m)
  }
}

const writer = (by: string, now: number) => ({ by, now, random: seededRandom(now) })

describe('the queue view', () => {
  it('orders by join time, then id; positions count waiting entries only', () => {
    const data = new PlainMap()
    const b = enqueue(data, { name: ' Bea ', topic: 'proofs' }, writer('p2', 20))
    const a = enqueue(data, { name: 'Ali', topic: 'loops' }, writer('p1', 10))
    const c = enqueue(data, { name: 'Cy', topic: 'graphs' }, writer('p3', 30))
    leave(data, b, { by: 'p2', now: 40 })
    const view = queueView(data.toJSON(), { assigned: { [a]: 'Tess' } })
    expect(view.waiting.map((e) => e.name)).toEqual(['Cy'])
    expect(view.byId.get(a)).toMatchObject({ status: EntryStatus.Assigned, ta: 'Tess' })
    expect(view.byId.get(b)).toMatchObject({ status: EntryStatus.Left, name: 'Bea' })
    expect(positionOf(view, c)).toBe(1)
    expect(positionOf(view, a)).toBeUndefined()
  })

  it('ignores malformed entries written by a confused or hostile peer', () => {
    const data = new PlainMap()
    data.set(DataKey.entry('x'), { name: 3 })
    data.set(DataKey.entry('y'), 'nope')
    data.set(DataKey.entry('z'), { name: 'Zed', topic: 't', at: Number.NaN, by: 'p' })
    expect(queueView(data.toJSON(), {}).byId.size).toBe(0)
  })

  it('an assignment wins over a later left mark (the TA already has the student)', () => {
    const data = new PlainMap()
    const a = enqueue(data, { name: 'Ali', topic: 'loops' }, writer('p1', 10))
    leave(data, a, { by: 'p1', now: 50 })
    expect(queueView(data.toJSON(), { assigned: { [a]: 'Tess' } }).byId.get(a)?.status).toBe(EntryStatus.Assigned)
  })
})

describe('decideDequeue', () => {
  it('hands out the oldest waiting entry and records the assignment', () => {
    const data = new PlainMap()
    const a = enqueue(data, { name: 'Ali', topic: 'loops' }, writer('p1', 10))
    enqueue(data, { name: 'Bea', topic: 'proofs' }, writer('p2', 20))
    const { reply, change } = decideDequeue(data.toJSON(), {}, 'Tess')
    expect(reply).toMatchObject({ ok: true, entry: { id: a, name: 'Ali' } })
    expect(change).toEqual({ assigned: { [a]: 'Tess' } })
  })

  it('keeps the state as small as the queue: forgotten entries leave `assigned` on the next dequeue', () => {
    const data = new PlainMap()
    let state: { assigned?: Record<string, string | null> } = {}
    const ids: string[] = []
    for (let i = 0; i < 120; i++) {
      ids.push(enqueue(data, { name: `S${i}`, topic: 't' }, writer('p1', 100 + i)))
      const { change } = decideDequeue(data.toJSON(), state as never, 'Tess')
      const merged = { ...state.assigned, ...(change?.assigned as Record<string, string | null>) }
      state = { assigned: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null)) as Record<string, string> }
      forgetFinished(data, queueView(data.toJSON(), state as never), 10)
    }
    expect(Object.keys(state.assigned ?? {}).length, 'bounded by the finished entries kept (+1 just assigned)').toBeLessThanOrEqual(11)
    expect(data.has(DataKey.entry(ids[0]!)), 'the oldest finished entry is forgotten').toBe(false)
    expect(data.has(DataKey.entry(ids[119]!))).toBe(true)
  })

  it('replies empty, and changes nothing, when nobody waits', () => {
    expect(decideDequeue({}, {}, 'Tess')).toEqual({ reply: { ok: false, reason: 'empty' } })
  })

  it('accepts only well-formed dequeue requests', () => {
    expect(parseQueueRequest({ op: 'dequeue', ta: 'Tess' })).toEqual({ op: 'dequeue', ta: 'Tess' })
    const bads: Json[] = [null, 'dequeue', [], { op: 'dequeue' }, { op: 'dequeue', ta: '' }, { op: 'pop', ta: 'x' }]
    for (const bad of bads) {
      expect(parseQueueRequest(bad)).toBeUndefined()
    }
  })
})
