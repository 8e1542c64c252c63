import type { PeerId } from '@sship/core'

/** Where a discovered peer's WebSocket server listens. */
export interface DirectoryEntry {
  /** The peer's GUID. */
  readonly peerId: PeerId
  /** Its IPv4 address (the latest record wins: a peer's address may change between runs). */
  readonly host: string
  /** Its WebSocket port. */
  readonly port: number
}

/** Why a peer left the directory. */
export const LostReason = {
  /** The peer said goodbye (a record with TTL 0): it closed cleanly. */
  Goodbye: 'goodbye',
  /** Nothing refreshed its record within the record's TTL. */
  Expired: 'expired',
  /** {@link PeerDirectory.forget} was called: the transport found it unreachable. */
  Forgotten: 'forgotten'
} as const
/** One of {@link LostReason}'s values. */
export type LostReason = (typeof LostReason)[keyof typeof LostReason]

/** What a {@link PeerDirectory} reports. Handlers must not throw. */
export interface DirectoryListener {
  /** `entry` was seen for the first time, or at a new address. */
  found(entry: DirectoryEntry): void
  /** `peer` is no longer listed. */
  lost(peer: PeerId, reason: LostReason): void
}

/** What the local peer publishes about itself once its server listens. */
export interface LocalService {
  /** The WebSocket port. */
  readonly port: number
  /** The address the server is bound to (`0.0.0.0` means "every interface"). */
  readonly host: string
}

/**
 * How a {@link LanTransport} finds peers: the narrow interface between the transport and a
 * discovery mechanism. {@link MdnsDiscovery} implements it; a test can implement it in memory.
 * The transport owns the directory's lifecycle: it calls `start` once its server listens and
 * `close` when it closes.
 */
export interface PeerDirectory {
  /** Starts advertising `self` (if given) and browsing for peers of the same app. */
  start(self: LocalService | undefined): Promise<void>
  /** Listens for changes; returns the unsubscribe function. */
  subscribe(listener: DirectoryListener): () => void
  /** The current entry of `peer`, if listed. */
  lookup(peer: PeerId): DirectoryEntry | undefined
  /** Every listed peer. */
  entries(): readonly DirectoryEntry[]
  /**
   * "This peer is gone": drop it (reporting `lost` with reason `forgotten`) and ask the
   * network again, so it is listed anew if it still answers.
   */
  forget(peer: PeerId): void
  /** Stops advertising (with a goodbye) and browsing. Idempotent. */
  close(): Promise<void>
}
