import type { PeerId } from '@sship/core'

/**
 * Which pairs of peers hold a direct link in a capped mesh, as a pure rule every peer evaluates
 * alike from the member list: each peer wants its successor on the ring of sorted ids (so the
 * mesh is connected whatever the hash draws) and its `k` nearest peers under a symmetric hash
 * distance (rendezvous hashing: a random k-out graph, diameter about log n / log k, 2–3 hops
 * at 60 peers); a pair is linked if either wants the other. Expected degree about 2k + 2; a join
 * or leave moves only about k + 2 links.
 */

/** Default `k`: expected degree about 2k = 12, well under y-webrtc's 20 + 15. */
export const DEFAULT_MESH_K = 6

/** A symmetric 32-bit hash distance between two peers. */
export function pairDistance(a: PeerId, b: PeerId): number {
  const s = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  // A final avalanche so ids that differ in one character spread over the whole range.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

/** The peers `self` wants, among `members` (self excluded): its ring successor, then its `k` nearest by hash; ties by id. */
export function wantedLinks(self: PeerId, members: Iterable<PeerId>, k: number): PeerId[] {
  const others = [...new Set(members)].filter((m) => m !== self)
  if (others.length === 0) return []
  const sorted = [...others].sort()
  const successor = sorted.find((m) => m > self) ?? (sorted[0] as PeerId)
  others.sort((x, y) => pairDistance(self, x) - pairDistance(self, y) || (x < y ? -1 : x > y ? 1 : 0))
  return [successor, ...others.slice(0, Math.max(0, k)).filter((m) => m !== successor)]
}

/** True if `a` and `b` hold a link in the mesh of `members` (both must be members). */
export function linkedInMesh(a: PeerId, b: PeerId, members: readonly PeerId[], k: number): boolean {
  return wantedLinks(a, members, k).includes(b) || wantedLinks(b, members, k).includes(a)
}
