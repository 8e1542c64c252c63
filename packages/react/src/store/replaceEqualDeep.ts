/**
 * Structural sharing: returns `next`, except that every part deep-equal to the same part of
 * `prev` is `prev`'s object. So a part that did not change keeps its identity, and selectors
 * and memoized children see "unchanged" by `Object.is`. Handles JSON-like values (plain
 * objects, arrays, primitives); anything else is compared by identity.
 */
export function replaceEqualDeep<T>(prev: unknown, next: T): T {
  if (Object.is(prev, next)) return next
  const prevArray = Array.isArray(prev)
  if (prevArray !== Array.isArray(next)) return next
  if (prevArray) {
    const p = prev as readonly unknown[]
    const n = next as unknown as readonly unknown[]
    const out = n.map((item, i) => replaceEqualDeep(p[i], item))
    return (p.length === n.length && out.every((item, i) => item === p[i]) ? p : out) as T
  }
  if (!isPlainObject(prev) || !isPlainObject(next)) return next
  const keys = Object.keys(next)
  const out: Record<string, unknown> = {}
  let same = keys.length === Object.keys(prev).length
  for (const k of keys) {
    const item = replaceEqualDeep(prev[k], next[k])
    out[k] = item
    if (item !== prev[k] || !Object.prototype.hasOwnProperty.call(prev, k)) same = false
  }
  return (same ? prev : out) as T
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}
