import { SshipError } from '@sship/core'

/** Why {@link WebrtcError} was thrown or reported. */
export const WebrtcErrorCode = {
  /** A signaling URL is not a `ws:` or `wss:` URL. Thrown by `addSignaling`; reported by `followSignaling`. */
  BadUrl: 'bad-url',
  /**
   * A message did not open with this peer's room password: the sender has another password, or
   * none while this peer has one (or the reverse), or the message was tampered with. Dropped.
   */
  BadPassword: 'bad-password',
  /** An entry of the signaling directory in the document is not what `publishSignaling` writes. Ignored. */
  BadEntry: 'bad-entry',
  /** A tab message could not be decoded. Dropped. */
  Malformed: 'malformed'
} as const
/** One of {@link WebrtcErrorCode}'s values. */
export type WebrtcErrorCode = (typeof WebrtcErrorCode)[keyof typeof WebrtcErrorCode]

/**
 * An error of `@sship/webrtc`. Thrown only by calls with bad arguments (`addSignaling`); every
 * problem with something received is reported to an `onError` callback instead, and the
 * transport keeps running.
 */
export class WebrtcError extends SshipError {
  declare readonly code: WebrtcErrorCode
  constructor(code: WebrtcErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
