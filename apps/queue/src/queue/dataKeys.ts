/**
 * The layout of the app's shared data (`connection.data`, one flat `Y.Map`). Every key is
 * written by one peer for one thing, so concurrent writes never collide: there is deliberately
 * no nested `Y.Map` (two peers creating one offline at the same key would lose one side's
 * contents when they sync).
 *
 * - `entry:<id>` → {@link QueueEntry}: a student joined the queue (written once, by the student).
 * - `left:<id>` → {@link LeftMark}: the entry left the queue (anyone may write it; idempotent).
 * - `peer:<guid>`, `host:<guid>`: written by `@sship/web` (a peer's label, a host's endpoint).
 */
export const DataKey = {
  entry: (id: string): string => `entry:${id}`,
  left: (id: string): string => `left:${id}`
} as const

/** The prefixes of {@link DataKey}. */
export const DataPrefix = { entry: 'entry:', left: 'left:' } as const
