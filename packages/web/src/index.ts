/**
 * `@sship/web`: a browser page as a full sship peer of an app that a Node host serves
 * (`@sship/web/host`). {@link startWebPeer} boots the page — local replica (IndexedDB), WebSocket
 * links to every host, WebRTC to other browsers, BroadcastChannel to other tabs, the app's server
 * code — and returns the peer with status stores (links, failover timeline) for the UI.
 * Browser-safe: no Node module is imported from here.
 *
 * @packageDocumentation
 */

export { startWebPeer, type WebPeer, type WebPeerOptions, type SecurityRefusal } from './boot/startWebPeer.js'
export { openLocalReplica, tabPeerId, type LocalReplica } from './boot/localReplica.js'
export { CONFIG_PATH, DOC_PATH, LINK_PATH, parseAppConfig, type AppConfig } from './config/appConfig.js'
export { hostEndpoints, type HostEndpoint } from './config/HostEndpoint.js'
export { peerLabels, setPeerLabel, displayName, type PeerLabel } from './config/PeerLabel.js'
export { WebDataKey, WebDataPrefix } from './config/dataKeys.js'
export { parseRoomFragment, roomFragment, fragmentSecret, SECRET_PARAM, type RoomFragment } from './config/roomFragment.js'
export { LinkStatusStore, type LinkStatus } from './status/LinkStatusStore.js'
export { TimelineLog, TimelineKind, type TimelineEvent } from './status/TimelineLog.js'
