import { describe, expect, it } from 'vitest'
import { replaceEqualDeep } from '../src/store/replaceEqualDeep.js'
import { shallowEqual } from '../src/index.js'

describe('replaceEqualDeep', () => {
  it('returns the previous value when the next one is deep-equal', () => {
    const prev = { a: [1, { b: 'x' }], c: null }
    expect(replaceEqualDeep(prev, { a: [1, { b: 'x' }], c: null })).toBe(prev)
  })

  it('keeps the identity of unchanged parts and replaces changed ones', () => {
    const prev = { queue: ['ada'], title: 'a', nested: { deep: { n: 1 } } }
    const next = replaceEqualDeep(prev, { queue: ['ada'], title: 'b', nested: { deep: { n: 1 } } })
    expect(next).not.toBe(prev)
    expect(next).toEqual({ queue: ['ada'], title: 'b', nested: { deep: { n: 1 } } })
    expect(next.queue).toBe(prev.queue)
    expect(next.nested).toBe(prev.nested)
  })

  it('sees added, removed and reordered entries as changes', () => {
    const prev = { a: 1, list: [1, 2] }
    expect(replaceEqualDeep(prev, { a: 1 })).not.toBe(prev)
    expect(replaceEqualDeep(prev, { a: 1, list: [1, 2], b: 2 })).not.toBe(prev)
    expect(replaceEqualDeep(prev, { a: 1, list: [2, 1] }).list).not.toBe(prev.list)
    expect(replaceEqualDeep(prev, { a: 1, list: [1, 2, 3] }).list).not.toBe(prev.list)
    expect(replaceEqualDeep({ a: undefined }, { b: undefined })).toEqual({ b: undefined })
  })

  it('compares anything but plain objects and arrays by identity', () => {
    const bytes = new Uint8Array([1])
    const next = { bytes: new Uint8Array([1]) }
    const out = replaceEqualDeep({ bytes }, next)
    expect(out.bytes).toBe(next.bytes)
    expect(out.bytes).not.toBe(bytes)
    expect(replaceEqualDeep([1], { 0: 1 })).toEqual({ 0: 1 })
  })
})

describe('shallowEqual', () => {
  it('compares arrays and objects one level deep', () => {
    const item = { x: 1 }
    expect(shallowEqual({ a: item }, { a: item })).toBe(true)
    expect(shallowEqual({ a: { x: 1 } }, { a: { x: 1 } })).toBe(false)
    expect(shallowEqual([1, item], [1, item])).toBe(true)
    expect(shallowEqual([1], { 0: 1 })).toBe(false)
    expect(shallowEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false)
    expect(shallowEqual({ a: undefined }, { b: undefined })).toBe(false)
    expect(shallowEqual(NaN, NaN)).toBe(true)
    expect(shallowEqual<unknown>(null, {})).toBe(false)
  })
})
