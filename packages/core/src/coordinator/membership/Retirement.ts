/**
 * A retirement as stored in `sship.retired[id]`: the membership of generation `g` ended, by the
 * decision with key `d` (an empty standalone decision written in the same transaction).
 */
export interface Retirement {
  readonly g: number
  readonly d: string
}

/** Reads a retirement from the document; undefined if malformed. */
export function parseRetirement(value: unknown): Retirement | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { g, d } = value as { g?: unknown; d?: unknown }
  if (typeof g !== 'number' || !Number.isSafeInteger(g) || g < 0 || typeof d !== 'string' || d.length > 400) return undefined
  return { g, d }
}

/** A clean leave as stored in `sship.leaving[id]`: the peer left its membership of generation `g`. */
export function parseLeaving(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const g = (value as { g?: unknown }).g
  return typeof g === 'number' && Number.isSafeInteger(g) && g >= 0 ? g : undefined
}
