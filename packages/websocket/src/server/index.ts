/**
 * `@sship/websocket/server`: the Node side of WebSocket links. A host hands upgrades of its
 * link path to a {@link WsHubTransport}; browsers dial it with `WsClientTransport`.
 *
 * @packageDocumentation
 */

export { WsHubTransport, DEFAULT_HUB_BUDGET, type HubBudget, type WsHubTransportOptions } from './WsHubTransport.js'
