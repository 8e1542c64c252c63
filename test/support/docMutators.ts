/**
 * Named, seeded edits of one replica's document for the convergence property test: Y.Map
 * set/delete, Y.Array insert/delete, Y.Text insert/delete/format, and the nested cases
 * (a Y.Map inside the Y.Array, a Y.Array and a Y.Text inside the Y.Map).
 */
import * as Y from 'yjs'
import type { Random } from '@sship/core'

/** The root types the test edits. Every replica defines them at start, so `compareAll` reads each with its type. */
export interface Layout {
  readonly map: Y.Map<unknown>
  readonly list: Y.Array<unknown>
  readonly text: Y.Text
}

/** The test's roots in `doc`: `data` (the app's shared map), `conv.list` and `conv.text`. */
export function layout(doc: Y.Doc): Layout {
  return { map: doc.getMap('data'), list: doc.getArray('conv.list'), text: doc.getText('conv.text') }
}

/** An edit: returns what it did, or `undefined` if it found nothing to edit (then it changed nothing). */
export type DocMutator = (l: Layout, r: Random) => string | undefined

const int = (r: Random, n: number): number => Math.floor(r.next() * n)
const pick = <T>(r: Random, xs: readonly T[]): T | undefined => xs[int(r, xs.length)]
const key = (r: Random): string => `k${int(r, 8)}`

/** Includes multi-byte and astral characters (an emoji is two UTF-16 code units in Y.Text). */
const alphabet = ['a', 'b', 'c', ' ', 'é', '日', '😀', '\n']
const word = (r: Random): string => Array.from({ length: 1 + int(r, 5) }, () => pick(r, alphabet) ?? 'a').join('')

function primitive(r: Random): unknown {
  switch (int(r, 6)) {
    case 0: return int(r, 1000)
    case 1: return word(r)
    case 2: return r.next() < 0.5
    case 3: return null
    case 4: return { n: int(r, 10), s: word(r) }
    default: return [int(r, 10), word(r)]
  }
}

/** Values of `map` (or elements of `list`) that are Y types of class `ctor`. */
function nested<T>(values: Iterable<unknown>, ctor: abstract new (...args: never[]) => T): T[] {
  const out: T[] = []
  for (const v of values) if (v instanceof ctor) out.push(v)
  return out
}

/** Every Y.Text the test edits: the root one and those nested in the map. */
const texts = (l: Layout): Y.Text[] => [l.text, ...nested(l.map.values(), Y.Text)]

/**
 * `at`, moved back one code unit if it falls inside a surrogate pair. Like any editor, the test
 * edits whole characters: Yjs replaces a split pair with U+FFFD only on the replica that splits
 * it, so replicas would differ (a known Yjs limitation, yjs#248, not an sship one).
 */
function boundary(s: string, at: number): number {
  const c = s.charCodeAt(at - 1)
  return at > 0 && at < s.length && c >= 0xd800 && c <= 0xdbff ? at - 1 : at
}

function editText(t: Y.Text, r: Random, op: 'insert' | 'delete' | 'format'): string | undefined {
  const str = t.toString()
  if (op === 'insert') {
    const at = boundary(str, int(r, t.length + 1))
    const s = word(r)
    if (r.next() < 0.2) t.insert(at, s, { bold: true })
    else t.insert(at, s)
    return `text insert ${JSON.stringify(s)}@${at}`
  }
  if (t.length === 0) return undefined
  const at = boundary(str, int(r, t.length))
  const end = boundary(str, at + 1 + int(r, Math.min(4, t.length - at)))
  const len = end > at ? end - at : Math.min(2, t.length - at)
  if (op === 'delete') t.delete(at, len)
  else t.format(at, len, { italic: r.next() < 0.5 ? true : null })
  return `text ${op} ${at}+${len}`
}

/** The document mutators, by name. */
export const docMutators: Record<string, DocMutator> = {
  mapSet(l, r) {
    const k = key(r)
    const v = primitive(r)
    l.map.set(k, v)
    return `map set ${k}=${JSON.stringify(v)}`
  },
  mapDelete(l, r) {
    const k = pick(r, [...l.map.keys()].sort())
    if (k === undefined) return undefined
    l.map.delete(k)
    return `map delete ${k}`
  },
  arrayInsert(l, r) {
    const at = int(r, l.list.length + 1)
    const items = Array.from({ length: 1 + int(r, 3) }, () => primitive(r))
    l.list.insert(at, items)
    return `array insert ${items.length}@${at}`
  },
  arrayDelete(l, r) {
    if (l.list.length === 0) return undefined
    const at = int(r, l.list.length)
    const len = 1 + int(r, Math.min(3, l.list.length - at))
    l.list.delete(at, len)
    return `array delete ${at}+${len}`
  },
  mapInArray(l, r) {
    const m = new Y.Map<unknown>()
    m.set(key(r), primitive(r))
    const at = int(r, l.list.length + 1)
    l.list.insert(at, [m])
    return `array insert Y.Map@${at}`
  },
  nestedMapEdit(l, r) {
    const m = pick(r, nested(l.list.toArray(), Y.Map))
    if (m === undefined) return undefined
    const k = key(r)
    if (r.next() < 0.7) m.set(k, primitive(r))
    else m.delete(k)
    return `nested map edit ${k}`
  },
  arrayInMap(l, r) {
    const k = key(r)
    const a = new Y.Array<unknown>()
    a.insert(0, [primitive(r), primitive(r)])
    l.map.set(k, a)
    return `map set ${k}=Y.Array`
  },
  nestedArrayEdit(l, r) {
    const a = pick(r, nested(l.map.values(), Y.Array))
    if (a === undefined) return undefined
    if (a.length > 0 && r.next() < 0.4) {
      a.delete(int(r, a.length), 1)
      return 'nested array delete'
    }
    a.insert(int(r, a.length + 1), [primitive(r)])
    return 'nested array insert'
  },
  textInMap(l, r) {
    const k = key(r)
    l.map.set(k, new Y.Text(word(r)))
    return `map set ${k}=Y.Text`
  },
  textInsert: (l, r) => editText(pick(r, texts(l)) ?? l.text, r, 'insert'),
  textDelete: (l, r) => editText(pick(r, texts(l)) ?? l.text, r, 'delete'),
  textFormat: (l, r) => editText(pick(r, texts(l)) ?? l.text, r, 'format'),
  /** Several edits in one transaction: one update carries them all. */
  transaction(l, r) {
    const names = ['mapSet', 'arrayInsert', 'textInsert', 'arrayDelete', 'textDelete']
    const done: string[] = []
    l.map.doc?.transact(() => {
      for (let i = 0; i < 2 + int(r, 3); i++) done.push(docMutators[pick(r, names) ?? 'mapSet']?.(l, r) ?? 'skip')
    })
    return `transaction [${done.join('; ')}]`
  }
}

/** A JSON view of every root with Y.Text as its delta (so formatting is compared too, which `toJSON` omits). */
export function richJson(l: Layout): string {
  const conv = (v: unknown): unknown => {
    if (v instanceof Y.Text) return v.toDelta()
    if (v instanceof Y.Array) return v.toArray().map(conv)
    if (v instanceof Y.Map) return Object.fromEntries([...v.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, conv(x)]))
    return v
  }
  return JSON.stringify([conv(l.map), conv(l.list), conv(l.text)])
}
