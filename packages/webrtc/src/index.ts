/**
 * `@sship/webrtc`: browsers (and Node peers) as full sship peers over WebRTC data channels.
 *
 * - {@link WebrtcTransport}: a `Transport` that meets peers through y-webrtc-compatible
 *   signaling servers (a list that can grow and shrink while running; none is special) and then
 *   talks over direct data channels; with `password`, signaling is encrypted as y-webrtc does.
 * - {@link publishSignaling} / {@link followSignaling}: the live signaling servers, listed in
 *   the app's own `Y.Doc`, so a peer that knows one server learns every other.
 * - {@link TabTransport}: a `Transport` between the tabs of one browser over `BroadcastChannel`.
 * - {@link claimBrowserCandidacy}: tabs of one browser share one GUID and stand as one candidate (Web Locks).
 * - The signaling server any Node peer can run is in `@sship/webrtc/server` (Node only, so
 *   that browser bundles of this entry point stay free of `ws`).
 *
 * Browser bundlers need no alias: the package imports simple-peer through `#simple-peer`, whose
 * `browser` condition picks `simple-peer/simplepeer.min.js` (its self-contained build, as
 * y-webrtc's users do by hand). On Node 20 pass `WebSocket` from `ws` and `wrtc` from
 * `@roamhq/wrtc`.
 *
 * @packageDocumentation
 */

export { WebrtcTransport, type LinkInfo, type MeshSignals } from './transport/WebrtcTransport.js'
export type { WebrtcTransportOptions } from './transport/WebrtcTransportOptions.js'
export { WebrtcError, WebrtcErrorCode } from './errors/WebrtcError.js'
export { isSignalingUrl } from './signaling/signalingUrl.js'
export {
  SIGNALING_DIRECTORY, DEFAULT_MAX_FOLLOWED_URLS, publishSignaling, followSignaling, signalingUrlsIn,
  type SignalingTarget, type FollowSignalingOptions
} from './directory/SignalingDirectory.js'
export { TabTransport } from './tabs/TabTransport.js'
export { browserGuid, claimBrowserCandidacy, type BrowserCandidacy, type BrowserCandidacyOptions, type LockManagerLike, type StorageLike } from './tabs/BrowserCandidacy.js'
export type { TabTransportOptions, TabChannel, TabChannelConstructor } from './tabs/TabTransportOptions.js'
export {
  TAB_PROTOCOL_VERSION, TabMessageType, encodeTabHello, encodeTabBye, encodeTabFrame, decodeTabMessage, type TabMessage
} from './tabs/tabMessages.js'
export {
  ROOM_PBKDF2_ITERATIONS, deriveRoomKey, sealBytes, openBytes, sealJson, openJson, looksSealed, type OpenResult
} from './crypto/roomCrypto.js'
export { MessageSealer, type MessageSealerOptions } from './crypto/MessageSealer.js'
export { isInitiator } from './transport/initiatorRule.js'
export { SignalingClient, SignalingState, type SignalingClientEvents, type SignalingClientOptions } from './signaling/SignalingClient.js'
export { SignalingPool, type SignalingPoolOptions } from './signaling/SignalingPool.js'
export { hostWebSocket, type SignalingSocket, type SignalingSocketConstructor } from './signaling/SignalingSocket.js'
export {
  formatSignalingMessage, parseSignalingMessage, parseRoomMessage,
  type ClientMessage, type ServerMessage, type SignalingMessage, type RoomMessage, type SignalPayload
} from './signaling/signalingMessages.js'
export { anyCandidate, loopbackOnly, candidateAddress, filterSignal, type CandidateFilter } from './ice/candidateFilter.js'
export { PeerLink, LinkState, type PeerLinkEvents, type PeerLinkOptions } from './link/PeerLink.js'
export { FrameAssembler, type AssembleResult } from './link/FrameAssembler.js'
export {
  LINK_PROTOCOL_VERSION, LinkMessageType, DEFAULT_CHUNK_BYTES, encodeHello, encodeBye, encodeFrame, decodeLinkMessage, type LinkMessage
} from './link/linkMessages.js'
export { RelayTransport } from './mesh/RelayTransport.js'
export type { RelayTransportOptions, RelayStats } from './mesh/RelayTransportOptions.js'
export { CappedLinks, type CappedLinksOptions } from './mesh/CappedLinks.js'
export { wantedLinks, linkedInMesh, pairDistance, DEFAULT_MESH_K } from './mesh/meshLinks.js'
export { LinkStateTable, type LinkState as MeshLinkState } from './mesh/LinkStateTable.js'
export { encodeMeshFrame, decodeMeshFrame, MeshType, MESH_VERSION, MESH_LIMITS, type MeshFrame, type MeshDecodeResult } from './mesh/meshFrames.js'
export { MeshLinkPolicy, type MeshLinkOptions } from './mesh/MeshLinkPolicy.js'
export { MeshHealer, type MeshHealerOptions, type HealableLinks, type MeshMembers } from './mesh/MeshHealer.js'
