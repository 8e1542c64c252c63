/**
 * `@sship/core/internals`: the parts of sship that its own packages share and that an app does
 * not touch — the wire envelope and message codecs, the replicated ledger's records, the sync
 * engine, signing bytes, the redial backoff and the clock and randomness helpers that transports
 * inject. They may change in any minor release: a protocol change is not a breaking change of
 * `@sship/core`'s root. Apps use the root (`initServer`, `connect`), `@sship/core/security` and
 * `@sship/core/testing`.
 *
 * @packageDocumentation
 */

export { Peer } from './peer/Peer.js'
export { PeerStats } from './peer/PeerStats.js'
export { formatEvent, eventNamespace } from './peer/eventLog.js'
export type { CoordinatorEvent } from './coordinator/Coordinator.js'
export { mergePatch } from './coordinator/json.js'
export { DEFAULT_TIMING, resolveTiming } from './coordinator/timing.js'
export type { CanonicalDecision } from './coordinator/Ledger.js'
export type { CodeIdentity, DecisionRecord, StateOp } from './coordinator/AppDoc.js'
export type { TermRecord, TermKey } from './coordinator/Term.js'
export { combineTransports, type TransportOption } from './transport/CombinedTransport.js'
export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './transport/Backoff.js'
export { systemClock, type TimerHandle } from './clock/Clock.js'
export { cryptoRandom, seededRandom, randomHex } from './random/Random.js'
export { asEpoch, MAX_EPOCH } from './ids/ids.js'
export { PROTOCOL_VERSION, MessageType } from './protocol/MessageType.js'
export { encodeEnvelope, decodeEnvelope, DEFAULT_MAX_FRAME_BYTES, type Envelope, type DecodeResult } from './protocol/envelope.js'
export * as messages from './protocol/coordinatorMessages.js'
export { DocSync, SYNC_ANSWER_INTERVAL_MS, type DocSyncHost } from './sync/DocSync.js'
export { TokenBucket, type Rate } from './limits/TokenBucket.js'
export { stateDigest } from './sync/stateDigest.js'
export { ReplayWindow, type ReplayVerdict } from './security/ReplayWindow.js'
export { EntryAuthority, MAX_EPOCH_STEP, type Verdict } from './identity/EntryAuthority.js'
export { termSigningBytes, decisionSigningBytes, requestSigningBytes, canonicalJson } from './identity/signingBytes.js'
