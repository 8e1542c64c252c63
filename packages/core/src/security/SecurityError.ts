import { SshipError } from '../errors/errors.js'

/** Why {@link SecureTransport} refused a handshake or a frame. */
export const SecurityErrorCode = {
  /** The peer's handshake proof did not check: it does not hold the room secret (or is not who it claims). */
  AuthFailed: 'auth-failed',
  /** A data frame's counter was already accepted or is older than the replay window. */
  Replay: 'replay',
  /** A data frame failed AES-GCM authentication: tampered, truncated, or under another key. */
  DecryptFailed: 'decrypt-failed',
  /** A frame could not be parsed as a secure frame (wrong version, type or length). */
  Malformed: 'malformed',
  /** A handshake got no answer through every retransmission; the link stays refused until the inner link rejoins. */
  HandshakeTimeout: 'handshake-timeout',
  /** WebCrypto or an event handler failed unexpectedly; the link keeps serving if it can. */
  Internal: 'internal'
} as const
/** One of {@link SecurityErrorCode}'s values. */
export type SecurityErrorCode = (typeof SecurityErrorCode)[keyof typeof SecurityErrorCode]

/**
 * A security check failed on a link of a {@link SecureTransport}. Never thrown out of a receive
 * handler: it is reported to `SecureTransportOptions.onError` and the offending frame is dropped.
 */
export class SecurityError extends SshipError {
  declare readonly code: SecurityErrorCode
  constructor(code: SecurityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
