import { networkInterfaces } from 'node:os'

/**
 * The first non-internal IPv4 address of this machine: what `--lan` uses. Only called when the
 * caller explicitly asked for the real network (never in tests). Throws if there is none.
 */
export function firstLanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address
    }
  }
  throw new Error('this machine has no non-internal IPv4 address; pass an explicit interface address instead')
}
