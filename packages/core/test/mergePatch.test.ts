import { describe, expect, it } from 'vitest'
import { mergePatch, type Json } from '@sship/core'

describe('mergePatch', () => {
  it('follows RFC 7386 and keeps untouched subtrees and inputs as they were', () => {
    const target = { a: { b: 1, c: { d: 2 } }, e: [1, 2], f: 'x' }
    const frozen = JSON.stringify(target)
    const out = mergePatch(target, { a: { b: null, z: 3 }, e: null, g: { h: true } }) as Record<string, Json>
    expect(out).toEqual({ a: { c: { d: 2 }, z: 3 }, f: 'x', g: { h: true } })
    expect(JSON.stringify(target), 'the target is not mutated').toBe(frozen)
    expect((out.a as Record<string, Json>).c, 'an untouched subtree keeps its identity').toBe(target.a.c)
    expect(mergePatch(target, { f: 'x', a: { b: 1 } }), 'a no-op patch returns the target itself').toBe(target)
    expect(mergePatch(target, 5)).toBe(5)
  })

  it('with an owned set, copies each object once per run and then changes its copy in place', () => {
    const big: Record<string, Json> = {}
    for (let i = 0; i < 100; i++) big[`k${i}`] = i
    const published = { assigned: big, other: { x: 1 } }
    const owned = new WeakSet<object>()
    const first = mergePatch(published, { assigned: { n1: 'ta' } }, owned) as Record<string, Record<string, Json>>
    const second = mergePatch(first, { assigned: { n2: 'ta', k0: null } }, owned) as Record<string, Record<string, Json>>
    expect(second, 'the second patch of the run changed the first one\'s copy in place').toBe(first)
    expect(second.assigned).toBe(first.assigned)
    expect(second.other, 'untouched').toBe(published.other)
    expect(second.assigned).toMatchObject({ n1: 'ta', n2: 'ta', k1: 1 })
    expect('k0' in second.assigned!).toBe(false)
    expect(published.assigned, 'the published state is never touched').toBe(big)
    expect(Object.keys(big)).toHaveLength(100)
    expect(mergePatch(published, { assigned: { n3: 'ta' } }), 'without owned the result is a fresh object').not.toBe(published)
  })
})
