import { toBase64 } from 'lib0/buffer'
import { digest } from 'lib0/hash/sha256'

/** What the host publishes about the TA PIN (its settings' `taPin`): a salt and SHA-256 of `salt:PIN`. */
export interface TaPinCheck {
  readonly salt: string
  readonly hash: string
}

/** Reads the PIN check from the host's settings; undefined when the desk is not locked. */
export function readTaPin(settings: Readonly<Record<string, unknown>> | undefined): TaPinCheck | undefined {
  const v = settings?.taPin
  if (typeof v !== 'object' || v === null) return undefined
  const { salt, hash } = v as Record<string, unknown>
  return typeof salt === 'string' && typeof hash === 'string' ? { salt, hash } : undefined
}

/**
 * True if `pin` matches. A classroom lock, not a secret: the check is public to every page, so a
 * short PIN can be guessed offline by someone who reads it; the room secret keeps outsiders out.
 */
export function pinMatches(check: TaPinCheck, pin: string): boolean {
  return toBase64(digest(new TextEncoder().encode(`${check.salt}:${pin}`))) === check.hash
}
