import { SshipError } from '@sship/core'

/** Why a data directory could not be opened or written. */
export const PersistErrorCode = {
  /** The log file does not start with the sship log magic: it is not ours, and is left alone. */
  BadHeader: 'bad-header',
  /** The log was written by a newer format version. */
  UnsupportedVersion: 'unsupported-version',
  /** The `peer-id` file does not hold a valid GUID. */
  BadPeerId: 'bad-peer-id',
  /** A `peerId` option disagrees with the GUID already persisted in the directory. */
  PeerIdMismatch: 'peer-id-mismatch',
  /** Writing an update or a compaction to disk failed (reported, not thrown, while the doc runs). */
  WriteFailed: 'write-failed',
  /** Another live process holds the data directory's lock (the message names its pid). */
  Locked: 'locked',
  /** The log was used after {@link DocLog.close}. */
  Closed: 'closed'
} as const
/** One of {@link PersistErrorCode}'s values. */
export type PersistErrorCode = (typeof PersistErrorCode)[keyof typeof PersistErrorCode]

/** An error of `@sship/persist`, with a stable {@link PersistErrorCode}. */
export class PersistError extends SshipError {
  declare readonly code: PersistErrorCode
  constructor(code: PersistErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
