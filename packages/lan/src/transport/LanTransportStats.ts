
/** Counters of a {@link LanTransport}, for tests, benchmarks and status lines. */
export interface LanTransportStats {
  /** Bytes read from TCP sockets (WebSocket framing, HTTP upgrade and handshakes included). */
  bytesIn: number
  /** Bytes written to TCP sockets. */
  bytesOut: number
  /** sship frames delivered to the peer layer. */
  framesIn: number
  /** sship frames handed to a socket. */
  framesOut: number
  /** Payload bytes of {@link LanTransportStats.framesIn}. */
  payloadBytesIn: number
  /** Payload bytes of {@link LanTransportStats.framesOut}. */
  payloadBytesOut: number
  /** Frames dropped because the destination was not joined (or its socket was closing). */
  framesDropped: number
  /** Outbound connection attempts. */
  dials: number
  /** Outbound attempts that closed before their handshake completed. */
  dialFailures: number
  /** Handshakes this side refused (wrong app or version, self, not ready, bad hello). */
  handshakesRejected: number
  /** Links that completed their handshake. */
  linksOpened: number
  /** Links that closed, for any reason. */
  linksClosed: number
  /** Links closed because another link to the same peer was kept. */
  duplicatesClosed: number
  /** Links destroyed by {@link LanTransport.cut}. */
  cuts: number
  /** Socket errors (refused connections included). */
  socketErrors: number
  /** Hellos that claimed a peer whose current link is alive, refused (see `mayDisplace`). */
  claimsRefused: number
  /** mDNS goodbyes ignored because the peer's link was still alive. */
  goodbyesIgnored: number
  /** Connections refused because the server held its most sockets. */
  socketsRefused: number
  /** Sockets open right now (current links, links still handshaking, and retired ones still closing). */
  liveLinks: number
}

/** A zeroed {@link LanTransportStats}. */
export function emptyLanTransportStats(): LanTransportStats {
  return {
    bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, payloadBytesIn: 0, payloadBytesOut: 0, framesDropped: 0,
    dials: 0, dialFailures: 0, handshakesRejected: 0, linksOpened: 0, linksClosed: 0, duplicatesClosed: 0, cuts: 0, socketErrors: 0, liveLinks: 0,
    claimsRefused: 0, goodbyesIgnored: 0, socketsRefused: 0
  }
}
