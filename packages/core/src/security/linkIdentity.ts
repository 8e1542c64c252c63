import * as encoding from 'lib0/encoding'
import { guidMatchesKey } from '../identity/guid.js'
import type { PeerIdentity, SignatureVerifier } from '../identity/PeerIdentity.js'
import type { PeerId } from '../ids/ids.js'

/**
 * The identity step of a {@link SecureTransport} handshake (with `identity` set): each side sends
 * its identity public key and a signature by that key over both GUIDs in direction order, both
 * handshake nonces (the receiver's first) and the ephemeral ECDH key of its Hello. The receiver
 * checks that the key's fingerprint is in the sender's GUID and that the signature verifies. So
 * the link's peer id is proven, and the ephemeral keys — whose ECDH secret salts the session
 * keys — are the two GUIDs' own: a member holding the room secret can neither impersonate a
 * GUID, nor sit in the middle of a link, nor replay a step into another session.
 */

/** What `from` signs for `to`: both ids, both nonces (`to`'s first) and `from`'s ECDH share. */
export function identityStatement(from: PeerId, to: PeerId, nonceOfTo: Uint8Array, nonceOfFrom: Uint8Array, share: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarString(e, 'sship/secure/v1/identity')
  encoding.writeVarString(e, from)
  encoding.writeVarString(e, to)
  encoding.writeVarUint8Array(e, nonceOfTo)
  encoding.writeVarUint8Array(e, nonceOfFrom)
  encoding.writeVarUint8Array(e, share)
  return encoding.toUint8Array(e)
}

/** Why a peer's identity step failed, or `ok`. */
export type IdentityCheck = 'ok' | 'wrong-key' | 'bad-signature'

/** Checks the identity step `from` sent to `to`. */
export async function checkLinkIdentity(
  verifier: SignatureVerifier, from: PeerId, to: PeerId, nonceOfTo: Uint8Array, nonceOfFrom: Uint8Array,
  step: { readonly ecdh: Uint8Array; readonly key: Uint8Array; readonly signature: Uint8Array }
): Promise<IdentityCheck> {
  if (!guidMatchesKey(from, step.key)) return 'wrong-key'
  const ok = await verifier.verify(step.key, identityStatement(from, to, nonceOfTo, nonceOfFrom, step.ecdh), step.signature)
  return ok ? 'ok' : 'bad-signature'
}

/** Signs our identity step for `to`. */
export async function signLinkIdentity(identity: PeerIdentity, to: PeerId, nonceOfTo: Uint8Array, nonceOfFrom: Uint8Array, share: Uint8Array): Promise<Uint8Array> {
  return identity.sign(identityStatement(identity.id, to, nonceOfTo, nonceOfFrom, share))
}
