/** Small helpers over `localStorage` that never throw (private mode, quota, disabled storage). */
export function readLocal(key: string): string | undefined {
  try {
    return globalThis.localStorage?.getItem(key) ?? undefined
  } catch {
    return undefined
  }
}

export function writeLocal(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value)
  } catch {
    // the value just is not remembered
  }
}

/** A list of strings kept under `key` as JSON. */
export function readLocalList(key: string): string[] {
  try {
    const v: unknown = JSON.parse(readLocal(key) ?? '[]')
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}
