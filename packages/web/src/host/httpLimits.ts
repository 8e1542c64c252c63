import type { ServerOptions } from 'node:http'

/**
 * Time and size budgets of the host's HTTP server: a client that trickles its headers (an
 * HTTP slowloris) or never finishes its request is closed within seconds instead of holding a
 * socket forever. Upgraded sockets (`/sship`) leave the HTTP server's accounting, so these do
 * not limit a browser's link.
 */
export const HTTP_LIMITS: ServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 15_000,
  // Node checks the two timeouts above on this interval (default 30 s): check often enough that a slow client is gone in seconds.
  connectionsCheckingInterval: 1_000,
  keepAliveTimeout: 5_000,
  maxHeaderSize: 16 * 1024
}
