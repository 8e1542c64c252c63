/**
 * WebSocket close codes the LAN transport uses (4000-4999 is the range for applications). Values
 * are part of the wire format: never reuse one. The close reason carries the human explanation.
 */
export const CloseCode = {
  /** The peer closed its transport (it is leaving). */
  Goodbye: 4000,
  /** The two peers serve different apps. */
  WrongApp: 4001,
  /** The two peers speak different sship protocol versions. */
  WrongVersion: 4002,
  /** Another link between the same two peers is kept instead of this one. */
  Duplicate: 4003,
  /** The link leads back to the peer itself. */
  Self: 4004,
  /** The accepting peer is not connected yet; try again later. */
  NotReady: 4005,
  /** No valid hello arrived in time. */
  HandshakeTimeout: 4006,
  /** The first message was not a valid hello. */
  BadHello: 4007,
  /** The test hook {@link LanTransport.cut} dropped the link. */
  Cut: 4008,
  /** The other side did not read: more than the link's send budget was waiting to be sent. */
  SendQueueFull: 4009,
  /** The other side sent frames faster than the link's frame-rate budget. */
  TooManyFrames: 4010,
  /** The server holds as many sockets as it accepts; try again later. */
  ServerFull: 4011
} as const
/** One of {@link CloseCode}'s values. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** True if a link closed with `code` should not be redialed until the peer's address changes. */
export function isPermanentRejection(code: number): boolean {
  return code === CloseCode.WrongApp || code === CloseCode.WrongVersion || code === CloseCode.Self
}

/** The close reason of a duplicate link: names the refusing peer so a static dialer learns who is behind an address. */
export function duplicateReason(refusing: string): string {
  const reason = `duplicate link (peer ${refusing})`
  return new TextEncoder().encode(reason).byteLength <= 123 ? reason : 'duplicate link'
}

/** The peer GUID named by a {@link duplicateReason}, if any. */
export function peerInDuplicateReason(reason: string): string | undefined {
  return /^duplicate link \(peer (.+)\)$/.exec(reason)?.[1]
}
