/**
 * The keys `@sship/web` writes in an app's shared data (`connection.data`, a flat `Y.Map`):
 * each peer writes only its own, so concurrent writes never collide. An app keeps its own keys
 * off these two prefixes.
 *
 * - `peer:<guid>` → {@link PeerLabel}: how a peer wants to be shown.
 * - `host:<guid>` → {@link HostEndpoint}: where a Node host serves the app (removed on a clean exit).
 */
export const WebDataKey = {
  peer: (guid: string): string => `peer:${guid}`,
  host: (guid: string): string => `host:${guid}`
} as const

/** The prefixes of {@link WebDataKey}. */
export const WebDataPrefix = { peer: 'peer:', host: 'host:' } as const
