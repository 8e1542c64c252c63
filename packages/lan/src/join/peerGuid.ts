import { asPeerId, type PeerId, type Random } from '@sship/core'
import { randomHex } from '@sship/core/internals'

/** A new peer GUID in UUID layout (`8-4-4-4-12` hex digits), drawn from `random`. */
export function newPeerGuid(random: Random): PeerId {
  const h = randomHex(random, 16)
  return asPeerId(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`)
}
