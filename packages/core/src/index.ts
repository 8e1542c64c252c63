/**
 * `@sship/core`: fault-tolerant local web apps. All app state lives in a Yjs document replicated
 * on every peer; "the server" is a role held by the first alive peer of a replicated
 * successorship list, which runs the app's server code for operations that do not commute.
 *
 * Start with {@link initServer} and {@link connect} (or the {@link sship} object).
 *
 * @packageDocumentation
 */

export { sship, initServer, connect, type ServerOptions, type ConnectOptions } from './api/sship.js'
export { Server } from './api/Server.js'
export { Connection, SendStatus, type SendResult, type RequestState, type Conflict } from './api/Connection.js'
export { Peer, type PeerOptions } from './peer/Peer.js'
export { PeerStats } from './peer/PeerStats.js'
export { ServerChange, type SshipEvent } from './peer/SshipEvent.js'
export { formatEvent, eventNamespace, type SshipLogger } from './peer/eventLog.js'
export { Role } from './coordinator/Role.js'
export type { CoordinatorSnapshot } from './coordinator/CoordinatorSnapshot.js'
export type { CoordinatorEvent } from './coordinator/Coordinator.js'
export type { ServerHandler } from './coordinator/RequestProcessor.js'
export type { Json, JsonObject } from './coordinator/json.js'
export { mergePatch } from './coordinator/json.js'
export { DEFAULT_TIMING, resolveTiming, type TimingOptions } from './coordinator/timing.js'
export type { CanonicalDecision } from './coordinator/Ledger.js'
export type { CodeIdentity, DecisionRecord, StateOp } from './coordinator/AppDoc.js'
export type { TermRecord, TermKey } from './coordinator/Term.js'
export type { Transport, TransportEvents } from './transport/Transport.js'
export { combineTransports, type TransportOption } from './transport/CombinedTransport.js'
export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './transport/Backoff.js'
export { systemClock, type Clock, type TimerHandle } from './clock/Clock.js'
export { cryptoRandom, seededRandom, randomHex, type Random } from './random/Random.js'
export { asPeerId, asEpoch, MAX_EPOCH, type PeerId, type Epoch } from './ids/ids.js'
export {
  SshipError, FrameError, FrameErrorCode, NotCoordinatorError, HandlerError, StoppedError, ConfigError
} from './errors/errors.js'
export { PROTOCOL_VERSION, MessageType } from './protocol/MessageType.js'
export { encodeEnvelope, decodeEnvelope, DEFAULT_MAX_FRAME_BYTES, type Envelope, type DecodeResult } from './protocol/envelope.js'
export * as messages from './protocol/coordinatorMessages.js'
export { DocSync, SYNC_ANSWER_INTERVAL_MS, type DocSyncHost } from './sync/DocSync.js'
export { TokenBucket, type Rate } from './limits/TokenBucket.js'
export { stateDigest } from './sync/stateDigest.js'
export { SecureTransport, type SecureTransportOptions } from './security/SecureTransport.js'
export { SecurityError, SecurityErrorCode } from './security/SecurityError.js'
export { deriveRoomKeys, DEFAULT_PBKDF2_ITERATIONS, type RoomKeys } from './security/roomKeys.js'
export { ReplayWindow, type ReplayVerdict } from './security/ReplayWindow.js'
export type { PeerIdentity, SignatureVerifier } from './identity/PeerIdentity.js'
export { WebCryptoIdentity, WebCryptoVerifier, webCryptoVerifier, createIdentity, type StoredIdentity } from './identity/WebCryptoIdentity.js'
export { identityGuid, guidMatchesKey, guidLabel, fingerprint, GUID_SEPARATOR, FINGERPRINT_CHARS } from './identity/guid.js'
export { IdentityError, IdentityErrorCode } from './identity/IdentityError.js'
export { EntryAuthority, MAX_EPOCH_STEP, type Verdict } from './identity/EntryAuthority.js'
export { termSigningBytes, decisionSigningBytes, requestSigningBytes, canonicalJson } from './identity/signingBytes.js'
