import type { Random } from '@sship/core'
import * as Y from 'yjs'

/** Applies `n` seeded edits (map sets and deletes, array pushes and deletes, text inserts) to `doc`, one transaction each. */
export function randomEdits(doc: Y.Doc, random: Random, n: number): void {
  const map = doc.getMap('m')
  const list = doc.getArray<number>('a')
  const text = doc.getText('t')
  for (let i = 0; i < n; i++) {
    const pick = Math.floor(random.next() * 5)
    const key = `k${Math.floor(random.next() * 20)}`
    if (pick === 0) map.set(key, i)
    else if (pick === 1) map.delete(key)
    else if (pick === 2) list.push([i])
    else if (pick === 3 && list.length > 0) list.delete(Math.floor(random.next() * list.length), 1)
    else text.insert(Math.floor(random.next() * (text.length + 1)), `w${i} `)
  }
}

/** The content of the types {@link randomEdits} writes, for comparison. */
export function contentOf(doc: Y.Doc): unknown {
  return { m: doc.getMap('m').toJSON(), a: doc.getArray('a').toJSON(), t: doc.getText('t').toString() }
}

/** The state vector as a plain object (client id → clock), for comparison. */
export function stateVectorOf(doc: Y.Doc): Record<string, number> {
  return Object.fromEntries(Y.decodeStateVector(Y.encodeStateVector(doc)))
}
