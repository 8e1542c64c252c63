/**
 * Branded identifiers. A `PeerId` is a peer's GUID: stable for the lifetime of a device's
 * participation in an app, chosen once and never reused by another peer.
 */

declare const peerIdBrand: unique symbol
declare const epochBrand: unique symbol

/** A peer's GUID, as it appears in the successorship list and on the wire. */
export type PeerId = string & { readonly [peerIdBrand]: true }

/** A coordinator term number. Strictly increasing along the canonical chain of terms. */
export type Epoch = number & { readonly [epochBrand]: true }

/** Brands a string as a {@link PeerId}. Throws a `TypeError` for an empty or over-long id. */
export function asPeerId(value: string): PeerId {
  if (value.length === 0 || value.length > 128) {
    throw new TypeError(`a PeerId must be 1..128 characters, got ${value.length}`)
  }
  return value as PeerId
}

/**
 * The greatest epoch sship accepts from the network or a document (2^40). No real app reaches
 * it (a failover a millisecond for 30 years); a forged epoch beyond it is refused, so nobody can
 * push the epochs to where the next one no longer exists.
 */
export const MAX_EPOCH = 2 ** 40

/** Brands a number as an {@link Epoch}. Throws a `TypeError` unless it is an integer in `0..MAX_EPOCH`. */
export function asEpoch(value: number): Epoch {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_EPOCH) {
    throw new TypeError(`an Epoch must be an integer in 0..${MAX_EPOCH}, got ${value}`)
  }
  return value as Epoch
}
