/** A JSON value, as stored in the replicated document and carried in requests and replies. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** A JSON object. The server state is always one. */
export type JsonObject = { [key: string]: Json }

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Applies a JSON Merge Patch (RFC 7386) without mutating `target`: objects merge key by key,
 * `null` deletes a key, anything else replaces. Unchanged subtrees keep their identity, so UI
 * snapshots only change where the data did.
 *
 * `owned` makes a run of patches linear instead of quadratic: objects in it were created by an
 * earlier patch of the same run and are not yet visible to anyone, so they are changed in place
 * instead of copied again; every object this call creates is added to it. Without `owned`, each
 * object on the patched path is copied once (its untouched keys included), which is what a
 * published state needs.
 */
export function mergePatch(target: Json | undefined, patch: Json, owned?: WeakSet<object>): Json {
  if (!isObject(patch)) return patch
  const base: JsonObject = isObject(target) ? target : {}
  let out: JsonObject | undefined = owned?.has(base) === true ? base : undefined
  for (const key in patch) {
    const value = patch[key] as Json
    const before = base[key]
    if (value === null) {
      if (!(key in base)) continue
      out ??= copy(base, owned)
      delete out[key]
      continue
    }
    const after = mergePatch(before, value, owned)
    if (after === before) continue
    out ??= copy(base, owned)
    out[key] = after
  }
  if (out === undefined && !isObject(target) && owned !== undefined) owned.add(base)
  return out ?? base
}

function copy(base: JsonObject, owned: WeakSet<object> | undefined): JsonObject {
  const out = { ...base }
  owned?.add(out)
  return out
}
