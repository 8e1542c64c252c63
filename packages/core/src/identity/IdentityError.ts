import { SshipError } from '../errors/errors.js'

/** Why a coordinator entry (a term or a decision) was not accepted with identity on. */
export const IdentityErrorCode = {
  /** The public key's fingerprint is not the one in the leader's GUID (or the GUID has none). */
  KeyMismatch: 'key-mismatch',
  /** The signature does not verify over the entry's canonical encoding. */
  BadSignature: 'bad-signature',
  /** The signature entry is not `{ k?: bytes, s: bytes }`. */
  MalformedSignature: 'malformed-signature',
  /** A term's epoch is more than `MAX_EPOCH_STEP` above its parent's. */
  EpochJump: 'epoch-jump',
  /** The verifier failed (threw or rejected). */
  VerifyFailed: 'verify-failed',
  /** Signing an entry of this peer failed. */
  SignFailed: 'sign-failed'
} as const
/** One of {@link IdentityErrorCode}'s values. */
export type IdentityErrorCode = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode]

/**
 * A term or decision was ignored because its signature or key did not check, or signing failed.
 * Reported through `onError`; the entry stays in the document but never counts. The peer keeps running.
 */
export class IdentityError extends SshipError {
  declare readonly code: IdentityErrorCode
  constructor(code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
