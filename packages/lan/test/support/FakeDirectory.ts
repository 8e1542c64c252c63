import type { PeerId } from '@sship/core'
import { LostReason, type DirectoryEntry, type DirectoryListener, type LocalService, type PeerDirectory } from '../../src/index.js'

/** A {@link PeerDirectory} the test drives by hand: `add`, `remove`, and a log of `forget` calls. */
export class FakeDirectory implements PeerDirectory {
  readonly forgotten: PeerId[] = []
  started: LocalService | undefined
  closed = false
  private readonly listed = new Map<PeerId, DirectoryEntry>()
  private readonly listeners = new Set<DirectoryListener>()

  start(self: LocalService | undefined): Promise<void> {
    this.started = self
    return Promise.resolve()
  }
  subscribe(listener: DirectoryListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  lookup(peer: PeerId): DirectoryEntry | undefined {
    return this.listed.get(peer)
  }
  entries(): readonly DirectoryEntry[] {
    return [...this.listed.values()]
  }
  forget(peer: PeerId): void {
    this.forgotten.push(peer)
    this.remove(peer, LostReason.Forgotten)
  }
  close(): Promise<void> {
    this.closed = true
    return Promise.resolve()
  }
  /** Lists (or re-lists) `entry` and reports it found. */
  add(entry: DirectoryEntry): void {
    this.listed.set(entry.peerId, entry)
    for (const l of this.listeners) l.found(entry)
  }
  /** Unlists `peer` and reports it lost. */
  remove(peer: PeerId, reason: LostReason = LostReason.Goodbye): void {
    if (this.listed.delete(peer)) for (const l of this.listeners) l.lost(peer, reason)
  }
}
