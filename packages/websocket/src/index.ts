/**
 * `@sship/websocket`: sship links over plain WebSockets. The root is browser-safe: the client
 * transport a page (or a Node process) uses to reach hosts, and the link's wire format. The
 * Node hub that hosts run is `@sship/websocket/server`, so a page never pulls in Node code.
 *
 * @packageDocumentation
 */

export {
  WsClientTransport, HostLinkState, type HostLinkInfo, type WsClientTransportOptions, type LinkSocket, type LinkSocketConstructor
} from './client/WsClientTransport.js'
export { WS_LINK_VERSION, WsLinkType, WsCloseCode, encodeWsHello, encodeWsFrame, decodeWsLink, type WsLinkMessage } from './wire/wsLinkWire.js'
