/**
 * `@sship/lan`: zero-config LAN networking for sship peers on Node.
 *
 * - `discovery/`: {@link MdnsDiscovery} advertises each peer as a DNS-SD service
 *   (`_sship._tcp.local`) and browses for the app's other peers; {@link PeerDirectory} is the
 *   interface the transport sees.
 * - `transport/`: {@link LanTransport}, a `Transport` over WebSockets with a hello handshake,
 *   one link per pair of peers, and redial with backoff; {@link SecureLanTransport} wraps it in
 *   core's `SecureTransport` for rooms with a secret.
 * - `join/`: {@link joinLan} wires both for `initServer` / `connect`.
 * - `log/`: {@link RepeatedErrors}, one line per source and interval for errors others cause.
 * - `cli/`: the `sship` command (`sship join`, `sship status`).
 *
 * @packageDocumentation
 */

export { MdnsDiscovery } from './discovery/MdnsDiscovery.js'
export type { MdnsDiscoveryOptions, DiscoveryStats } from './discovery/MdnsDiscoveryOptions.js'
export {
  LostReason, type PeerDirectory, type DirectoryEntry, type DirectoryListener, type LocalService
} from './discovery/PeerDirectory.js'
export { SERVICE_TYPE, advertisementRecords, parseInstances, instanceName, type Advertisement, type ParsedInstance } from './discovery/serviceRecords.js'
export type { MulticastCounters, MulticastEndpoint } from './discovery/MulticastChannel.js'
export { LanTransport } from './transport/LanTransport.js'
export { SecureLanTransport, type LanPeerTransport } from './transport/SecureLanTransport.js'
export { LanTransportState, type LanTransportOptions } from './transport/LanTransportOptions.js'
export type { LanTransportStats } from './transport/LanTransportStats.js'
export { CloseCode } from './transport/CloseCode.js'
export { encodeHello, decodeHello, LAN_WIRE_VERSION, LanMessageType, type Hello, type HelloResult } from './transport/hello.js'
export { chooseLink, LinkChoice, type LinkFacts } from './transport/linkPolicy.js'
export { parseHostPort, type HostPort } from './transport/peerAddress.js'
export { joinLan, type JoinLanOptions, type LanPeer } from './join/joinLan.js'
export { RepeatedErrors, formatErrorLine, OTHER_SOURCES, type ErrorLine, type RepeatedErrorsOptions } from './log/RepeatedErrors.js'
export { DEFAULT_LINK_BUDGET, type LinkBudget } from './transport/LinkBudget.js'
export { mayDisplace, type CurrentLinkFacts, type LinkGuardOptions } from './transport/linkGuard.js'
export { undialable, type DialPolicy } from './discovery/dialPolicy.js'
export { HTTP_LIMITS } from './transport/httpLimits.js'
export { explainError, userPath, type PortFlag } from './cli/explainError.js'
export { newPeerGuid } from './join/peerGuid.js'
export { LAN_JOIN_GRACE_MS, lanTiming } from './join/lanTiming.js'
