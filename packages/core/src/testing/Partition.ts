import type { PeerId } from '../ids/ids.js'

/**
 * Which peers can reach each other: peers in different groups cannot; peers named in no group
 * form one more group together; and a cut link (one pair) cannot, whatever the groups. With no
 * groups and no cuts (healed), everyone can reach everyone.
 * @internal
 */
export class Partition {
  /** Group index of each named peer; peers not named are in group -1. */
  private groups = new Map<PeerId, number>()
  /** Cut links, as `a\u0000b` with a < b. */
  private readonly cuts = new Set<string>()

  /** Replaces the groups. Throws if a peer is listed twice. */
  set(groups: readonly (readonly PeerId[])[]): void {
    const next = new Map<PeerId, number>()
    groups.forEach((group, index) => {
      for (const peer of group) {
        if (next.has(peer)) throw new Error(`partition: peer ${peer} is listed twice`)
        next.set(peer, index)
      }
    })
    this.groups = next
  }

  /** Cuts the link between `a` and `b` (both directions); other links stay as they are. */
  cut(a: PeerId, b: PeerId): void {
    this.cuts.add(pairKey(a, b))
  }

  /** Everyone can reach everyone again: no groups, no cut links. */
  clear(): void {
    this.groups = new Map()
    this.cuts.clear()
  }

  /** True if `a` and `b` are in the same group and their link is not cut. */
  sameSide(a: PeerId, b: PeerId): boolean {
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1) && !this.cuts.has(pairKey(a, b))
  }
}

function pairKey(a: PeerId, b: PeerId): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
}
