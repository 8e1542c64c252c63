/**
 * `@sship/core`: fault-tolerant local web apps. All app state lives in a Yjs document replicated
 * on every peer; "the server" is a role held by the first alive peer of a replicated
 * successorship list, which runs the app's server code for operations that do not commute.
 *
 * Start with {@link initServer} and {@link connect} (or the {@link sship} object).
 *
 * The root holds what an app touches: those two functions, the {@link Server} and
 * {@link Connection} they return, the {@link Transport} interface, the errors, and the types of
 * their options and results. Other entry points:
 * - `@sship/core/security`: rooms with a secret (`SecureTransport`) and peer identities;
 * - `@sship/core/testing`: the seeded in-memory network, virtual clock and `Cluster`;
 * - `@sship/core/internals`: wire codecs, ledger records, the sync engine and the helpers
 *   sship's own transports share — no compatibility promise between minor versions.
 *
 * @packageDocumentation
 */

export { sship, initServer, connect, type ServerOptions, type ConnectOptions } from './api/sship.js'
export { Server } from './api/Server.js'
export { Connection, SendStatus, type SendResult, type RequestState, type Conflict } from './api/Connection.js'
export type { PeerOptions } from './peer/Peer.js'
export { ServerChange, type SshipEvent } from './peer/SshipEvent.js'
export type { SshipLogger } from './peer/eventLog.js'
export { Role } from './coordinator/Role.js'
export type { CoordinatorSnapshot } from './coordinator/CoordinatorSnapshot.js'
export type { ServerHandler } from './coordinator/RequestProcessor.js'
export { mergePatch, type Json, type JsonObject } from './coordinator/json.js'
export type { TimingOptions } from './coordinator/timing.js'
export type { Transport, TransportEvents } from './transport/Transport.js'
export type { Clock } from './clock/Clock.js'
export type { Random } from './random/Random.js'
export { asPeerId, type PeerId, type Epoch } from './ids/ids.js'
export {
  SshipError, FrameError, FrameErrorCode, NotCoordinatorError, HandlerError, StoppedError, ConfigError
} from './errors/errors.js'
export { SecurityError, SecurityErrorCode } from './security/SecurityError.js'
export { IdentityError, IdentityErrorCode } from './identity/IdentityError.js'
