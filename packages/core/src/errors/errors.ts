/**
 * The few error classes sship throws or reports. Each has a stable `code` for programs to
 * branch on; messages are for people.
 */

/** Base class of every sship error. */
export class SshipError extends Error {
  /** A stable machine-readable code. */
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** Why a frame was dropped. */
export const FrameErrorCode = {
  Truncated: 'truncated',
  UnknownType: 'unknown-type',
  BadVersion: 'bad-version',
  Oversized: 'oversized',
  Malformed: 'malformed',
  BadUpdate: 'bad-update'
} as const
/** One of {@link FrameErrorCode}'s values. */
export type FrameErrorCode = (typeof FrameErrorCode)[keyof typeof FrameErrorCode]

/** A frame from the network could not be decoded or applied. The frame is dropped; the peer keeps running. */
export class FrameError extends SshipError {
  declare readonly code: FrameErrorCode
  constructor(code: FrameErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** A server-only operation was called on a peer that is not the coordinator right now. */
export class NotCoordinatorError extends SshipError {
  constructor(message = 'this peer is not the coordinator; only the current server may commit server state') {
    super('not-coordinator', message)
  }
}

/** The app's server handler threw while processing a request; the sender's `send` rejects with this. */
export class HandlerError extends SshipError {
  constructor(message: string) {
    super('handler-failed', message)
  }
}

/** An operation was attempted on a peer that has been stopped. */
export class StoppedError extends SshipError {
  constructor(what = 'peer') {
    super('stopped', `the ${what} has been stopped`)
  }
}

/** Options were invalid; the message says which and how to fix it. */
export class ConfigError extends SshipError {
  constructor(message: string) {
    super('config', message)
  }
}
