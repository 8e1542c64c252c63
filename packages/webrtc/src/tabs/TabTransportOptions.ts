import type { Clock, PeerId } from '@sship/core'

/** The part of `BroadcastChannel` a {@link TabTransport} uses. */
export interface TabChannel {
  postMessage(message: unknown): void
  close(): void
  onmessage: ((event: MessageEvent) => void) | null
  onmessageerror: ((event: MessageEvent) => void) | null
}

/** A `BroadcastChannel` constructor: the global one in browsers and Node 20. */
export type TabChannelConstructor = new (name: string) => TabChannel

/** Options of a {@link TabTransport}. */
export interface TabTransportOptions {
  /** This tab's peer id (one per tab). */
  readonly peerId: PeerId
  /** The room: one per app (use the app's name). Tabs of other rooms never meet. */
  readonly room: string
  /**
   * Encrypts all tab traffic as {@link WebrtcTransportOptions.password} does signaling (AES-GCM,
   * key from PBKDF2 with the room as salt). Tabs with another password (or none) never join;
   * what they send is dropped and reported (code `bad-password`). Empty or undefined: none.
   */
  readonly password?: string
  /** The BroadcastChannel constructor. Default `globalThis.BroadcastChannel`. */
  readonly BroadcastChannel?: TabChannelConstructor
  /** Time source for heartbeats. Default the system clock. */
  readonly clock?: Clock
  /** Interval of the heartbeat `Hello` to every tab. Default 1000 ms. */
  readonly heartbeatMs?: number
  /**
   * A tab not heard from for this long has left (it crashed, or was closed without a goodbye).
   * Default 5000 ms. Browsers slow the timers of hidden tabs, so keep it well above the heartbeat.
   */
  readonly timeoutMs?: number
  /** Largest frame accepted. Default 16 MiB. */
  readonly maxFrameBytes?: number
  /** Messages that were dropped (malformed, `bad-password`, oversized); the transport keeps running. Must not throw. */
  readonly onError?: (error: Error, peer: PeerId | undefined) => void
}
