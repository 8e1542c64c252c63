/**
 * `@sship/webrtc/server`: the Node side of WebRTC signaling. {@link SignalingServer} speaks
 * y-webrtc's signaling protocol, so stock y-webrtc providers and `WebrtcTransport` peers can
 * meet through it; any Node peer can run one, and peers list several so none is special.
 *
 * @packageDocumentation
 */

export { SignalingServer, type SignalingServerOptions } from './SignalingServer.js'
export { TopicTable } from './TopicTable.js'
export { DEFAULT_SIGNALING_LIMITS, SignalingCloseCode, type SignalingLimits } from './SignalingLimits.js'
