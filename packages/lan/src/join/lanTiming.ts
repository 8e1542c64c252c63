import type { TimingOptions } from '@sship/core'

/**
 * How long a peer joining over the LAN listens for a coordinator before it acts (creates the
 * app, or runs for coordinator). Core's default (`suspectMs`, 250 ms) is shorter than what mDNS
 * discovery plus a WebSocket handshake can take under load: a peer that hears no heartbeat in
 * time creates a second copy of an app that already exists (the copies merge, but the first
 * copy's host may lose its place at the head of the successorship list). mDNS re-announces at
 * 1 s, so 1.5 s covers one lost announcement.
 */
export const LAN_JOIN_GRACE_MS = 1500

/**
 * Core timing for a peer on the LAN: `partial` with `joinGraceMs` defaulting to
 * {@link LAN_JOIN_GRACE_MS} (or `suspectMs`, if that is longer).
 */
export function lanTiming(partial: Partial<TimingOptions> = {}): Partial<TimingOptions> {
  return { ...partial, joinGraceMs: partial.joinGraceMs ?? Math.max(LAN_JOIN_GRACE_MS, partial.suspectMs ?? 0) }
}
