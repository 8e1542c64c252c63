/**
 * `@sship/web/host` (Node only): serve an sship app to browsers. {@link startWebHost} joins the
 * LAN, serves the built page and browsers' WebSocket links on one HTTP port, runs a WebRTC
 * signaling server, and runs the app's server code as an eligible peer.
 *
 * @packageDocumentation
 */

export { startWebHost, type WebHostOptions, type WebHost } from './startWebHost.js'
export { parseHostArgs, hostUsage, type HostArgs, type HostArgDefaults } from './hostArgs.js'
export { loadRoomSecret, MIN_SECRET_LENGTH, type RoomSecret } from './roomSecret.js'
export { serveStatic } from './staticFiles.js'
