import type { ServerOptions } from 'node:http'

/**
 * Time and size budgets of an HTTP server a peer or a host runs: a client that trickles its
 * headers (an HTTP slowloris) or never finishes its request is closed within seconds instead of
 * holding a socket for ever. Upgraded sockets leave the HTTP server's accounting, so these never
 * limit a link.
 */
export const HTTP_LIMITS: ServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 15_000,
  // Node checks the two timeouts above on this interval (default 30 s): often enough that a slow client is gone in seconds.
  connectionsCheckingInterval: 1_000,
  keepAliveTimeout: 5_000,
  maxHeaderSize: 16 * 1024
}
