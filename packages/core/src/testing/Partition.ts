import type { PeerId } from '../ids/ids.js'

/**
 * Which peers can reach each other: peers in different groups cannot; peers named in no group
 * form one more group together. With no groups (healed), everyone can reach everyone.
 * @internal
 */
export class Partition {
  /** Group index of each named peer; peers not named are in group -1. */
  private groups = new Map<PeerId, number>()

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

  /** Everyone can reach everyone again. */
  clear(): void {
    this.groups = new Map()
  }

  /** True if `a` and `b` are in the same group. */
  sameSide(a: PeerId, b: PeerId): boolean {
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1)
  }
}
