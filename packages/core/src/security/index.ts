/**
 * `@sship/core/security`: rooms with a secret and peer identities, opt-in.
 *
 * - {@link SecureTransport} wraps any `Transport`: peers prove they know the room secret
 *   (challenge–response), then every frame is encrypted and authenticated (AES-GCM, a replay
 *   window) under forward-secret session keys.
 * - {@link WebCryptoIdentity}: a peer's own key pair (ECDSA P-256) and its self-certifying GUID
 *   `label~fingerprint`; give it to `initServer(name, { identity })` and to `SecureTransport`,
 *   so terms, decisions and requests are signed and verified.
 *
 * The errors these report (`SecurityError`, `IdentityError`) are exported from the root too.
 *
 * @packageDocumentation
 */

export { SecureTransport, type SecureTransportOptions } from './SecureTransport.js'
export { SecurityError, SecurityErrorCode } from './SecurityError.js'
export { deriveRoomKeys, DEFAULT_PBKDF2_ITERATIONS, type RoomKeys } from './roomKeys.js'
export type { PeerIdentity, SignatureVerifier } from '../identity/PeerIdentity.js'
export { WebCryptoIdentity, WebCryptoVerifier, webCryptoVerifier, createIdentity, type StoredIdentity } from '../identity/WebCryptoIdentity.js'
export { identityGuid, guidMatchesKey, guidLabel, fingerprint, GUID_SEPARATOR, FINGERPRINT_CHARS } from '../identity/guid.js'
export { IdentityError, IdentityErrorCode } from '../identity/IdentityError.js'
