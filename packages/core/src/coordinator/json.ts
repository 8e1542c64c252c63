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
 */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch
  const base: JsonObject = isObject(target) ? target : {}
  let out: JsonObject | undefined
  for (const [key, value] of Object.entries(patch)) {
    const before = base[key]
    if (value === null) {
      if (!(key in base)) continue
      out ??= { ...base }
      delete out[key]
      continue
    }
    const after = mergePatch(before, value)
    if (after === before) continue
    out ??= { ...base }
    out[key] = after
  }
  return out ?? base
}
