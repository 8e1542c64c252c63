import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seededRandom } from '../src/random/Random.js'
import { redundantUpdate } from '../src/sync/redundantUpdate.js'

function docWith(clientID: number): Y.Doc {
  const doc = new Y.Doc({ gc: true })
  doc.clientID = clientID
  return doc
}

const isRedundant = (doc: Y.Doc, update: Uint8Array): boolean => redundantUpdate(doc, Y.decodeUpdate(update))

describe('redundantUpdate', () => {
  it('says a copy of state the document holds is redundant, and a new item is not', () => {
    const a = docWith(1)
    a.getMap('m').set('x', 1)
    const b = docWith(2)
    const first = Y.encodeStateAsUpdate(a)
    expect(isRedundant(b, first)).toBe(false)
    Y.applyUpdate(b, first)
    expect(isRedundant(b, first)).toBe(true)
    a.getMap('m').set('y', 2)
    expect(isRedundant(b, Y.encodeStateAsUpdate(a))).toBe(false)
  })

  it('says a deletion of an item the document still holds is not redundant, until it is applied', () => {
    const a = docWith(1)
    const b = docWith(2)
    a.getArray<number>('q').push([1, 2, 3])
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    const sv = Y.encodeStateVector(a)
    a.getArray<number>('q').delete(1, 1)
    const deletion = Y.encodeStateAsUpdate(a, sv)
    expect(Y.decodeUpdate(deletion).structs).toHaveLength(0)
    expect(isRedundant(b, deletion)).toBe(false)
    Y.applyUpdate(b, deletion)
    expect(isRedundant(b, deletion)).toBe(true)
    expect(b.getArray<number>('q').toArray()).toEqual([1, 3])
  })

  it('says nothing is redundant while the document holds pending structs', () => {
    const a = docWith(1)
    const b = docWith(2)
    a.getMap('m').set('x', 1)
    const first = Y.encodeStateAsUpdate(a)
    const sv = Y.encodeStateVector(a)
    a.getMap('m').set('y', 2)
    const second = Y.encodeStateAsUpdate(a, sv)
    const c = docWith(3)
    c.getMap('n').set('z', 3)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(c))
    Y.applyUpdate(b, second) // depends on `first`: stays pending
    expect(b.store.pendingStructs).not.toBeNull()
    expect(isRedundant(b, Y.encodeStateAsUpdate(c))).toBe(false)
    expect(isRedundant(b, first)).toBe(false)
    Y.applyUpdate(b, first)
    expect(b.store.pendingStructs).toBeNull()
    expect(b.getMap('m').toJSON()).toEqual({ x: 1, y: 2 })
  })

  // Seeded: three replicas make random edits and exchange random (partial) updates. Whenever an
  // update is judged redundant, applying it anyway must change nothing. (The check is conservative:
  // an update judged new may still turn out to change nothing, so that direction is not asserted.)
  it.each([1, 2, 3, 4, 5])('agrees with applyUpdate on random edits and exchanges (seed %i)', (seed) => {
    const random = seededRandom(seed)
    const docs = [docWith(11), docWith(22), docWith(33)]
    const log: Uint8Array[] = []
    docs.forEach((d) => d.on('update', (u: Uint8Array) => log.push(u)))
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T
    let judgedRedundant = 0
    let judgedNew = 0
    for (let step = 0; step < 600; step++) {
      const d = pick(docs)
      const r = random.next()
      if (r < 0.3) d.getMap<number>('m').set(`k${Math.floor(random.next() * 8)}`, step)
      else if (r < 0.45) d.getArray<number>('a').insert(0, [step])
      else if (r < 0.55 && d.getArray('a').length > 0) d.getArray('a').delete(Math.floor(random.next() * d.getArray('a').length), 1)
      else if (r < 0.65 && d.getMap('m').size > 0) d.getMap('m').delete(pick([...d.getMap('m').keys()]))
      else if (r < 0.75) {
        // A full exchange clears structs left pending by updates delivered out of order.
        const other = pick(docs)
        Y.applyUpdate(other, Y.encodeStateAsUpdate(d))
        Y.applyUpdate(d, Y.encodeStateAsUpdate(other))
      } else if (log.length > 0) {
        const update = pick(log)
        const target = pick(docs)
        const redundant = isRedundant(target, update)
        const before = Y.encodeStateAsUpdate(target)
        const snapshotBefore = Y.encodeSnapshot(Y.snapshot(target))
        Y.applyUpdate(target, update)
        const unchanged = [...Y.encodeSnapshot(Y.snapshot(target))].join() === [...snapshotBefore].join() && target.store.pendingStructs === null
        if (redundant) {
          judgedRedundant++
          expect(unchanged, `seed ${seed} step ${step}`).toBe(true)
          expect([...Y.encodeStateAsUpdate(target)]).toEqual([...before])
        } else {
          judgedNew++
        }
      }
    }
    expect(judgedRedundant).toBeGreaterThan(10)
    expect(judgedNew).toBeGreaterThan(10)
  })
})
