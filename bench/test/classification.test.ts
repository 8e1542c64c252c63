import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { classifyTransaction, clientServerRoots, sshipRoots } from '../src/measure/classifyTransaction.js'
import { OpBook } from '../src/measure/OpBook.js'
import { addTraffic, emptyTraffic, threeWaySplit, trafficTotal } from '../src/measure/Traffic.js'

function categoryOf(doc: Y.Doc, change: () => void, roots = sshipRoots): string {
  let out = ''
  const listener = (_u: Uint8Array, _o: unknown, _d: Y.Doc, tr: Y.Transaction): void => {
    out = classifyTransaction(tr, roots)
  }
  doc.on('update', listener)
  doc.transact(change)
  doc.off('update', listener)
  return out
}

describe('classifyTransaction', () => {
  it('files sship updates by the top-level type they touch, requests first', () => {
    const doc = new Y.Doc()
    expect(categoryOf(doc, () => doc.getMap('data').set('e1', { p: 'x' }))).toBe('data')
    expect(categoryOf(doc, () => doc.getMap('sship.requests').set('r1', { m: 1 }))).toBe('requests')
    expect(categoryOf(doc, () => doc.getArray('sship.successors').push(['s01']))).toBe('control')
    expect(categoryOf(doc, () => {
      doc.getMap('data').set('e2', 1)
      doc.getMap('sship.decisions').set('d1', 1)
    })).toBe('requests')
  })

  it('finds the root of nested types', () => {
    const doc = new Y.Doc()
    const inner = new Y.Map<number>()
    doc.getMap('data').set('nested', inner)
    expect(categoryOf(doc, () => inner.set('k', 1))).toBe('data')
  })

  it('files the client-server queue: the array is data, requests and replies are requests', () => {
    const doc = new Y.Doc()
    expect(categoryOf(doc, () => doc.getArray('queue').push([{ id: 'e' }]), clientServerRoots)).toBe('data')
    expect(categoryOf(doc, () => doc.getMap('replies').set('r', { entry: null }), clientServerRoots)).toBe('requests')
  })
})

describe('Traffic', () => {
  it('adds, totals and splits three ways', () => {
    const t = addTraffic({ ...emptyTraffic(), data: 10, repair: 5 }, { ...emptyTraffic(), liveness: 3, requests: 2, control: 1 })
    expect(trafficTotal(t)).toBe(21)
    expect(threeWaySplit(t)).toEqual({ sync: 15, liveness: 3, requests: 2, control: 1 })
  })
})

describe('OpBook', () => {
  it('measures visibility only for entries every other device saw', () => {
    const book = new OpBook()
    book.enqueued('a', 0, 0, 100)
    book.enqueued('b', 0, 0, 200)
    book.seen('a', 104)
    book.seen('a', 110)
    book.seen('b', 203)
    expect(book.visibleToAllMs(2)).toEqual([10])
  })

  it('counts unanswered requests of live senders and entries handed out twice', () => {
    const book = new OpBook()
    book.sent('r1', 1, 0, 0)
    book.sent('r2', 2, 0, 0)
    book.sent('r3', 3, 0, 0)
    book.acked('r1', 5, 'e1', 's00')
    book.acked('r2', 6, 'e1', 's01')
    book.acked('r1', 9, 'e2', 's01')
    expect(book.duplicateHandOuts()).toBe(1)
    expect(book.answeredMs()).toEqual([5, 6])
    expect(book.unanswered(() => true).map((d) => d.request)).toEqual(['r3'])
    expect(book.unanswered((device) => device !== 3)).toEqual([])
    expect(book.firstAnswerAfter(0, 's00')?.request).toBe('r2')
  })
})
