import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/**
 * The wire of a WebSocket link between a client (`WsClientTransport`) and a hub
 * (`WsHubTransport`, e.g. `/sship` on a host's HTTP port): each binary message starts with a numeric type. The browser sends a hello first, the host answers
 * with its own, then both send frames (one sship frame per message). Pure functions, no I/O.
 */
export const WS_LINK_VERSION = 1

/** Message types. */
export const WsLinkType = { Hello: 0, Frame: 1 } as const
/** One of {@link WsLinkType}'s values. */
export type WsLinkType = (typeof WsLinkType)[keyof typeof WsLinkType]

/** Close codes a host (or browser) uses to refuse a link, with a reason text. */
export const WsCloseCode = {
  /** Hello missing, malformed or of another wire version. */
  BadHello: 4001,
  /** Hello of another app. */
  WrongApp: 4002,
  /** The peer dialed itself (or a host it already has a link to). */
  Duplicate: 4003,
  /** A newer link from the same peer replaced this one. */
  Replaced: 4004,
  /** The other side did not read: its send queue passed the host's budget. */
  SendQueueFull: 4005,
  /** More frames per second than the host's budget. */
  TooManyFrames: 4006,
  /** The host holds as many sockets as it accepts; try again later. */
  ServerFull: 4007,
  /** The host is shutting down. */
  GoingAway: 1001
} as const

/** A decoded link message. */
export type WsLinkMessage =
  | { readonly type: typeof WsLinkType.Hello; readonly version: number; readonly app: string; readonly peer: string }
  | { readonly type: typeof WsLinkType.Frame; readonly frame: Uint8Array }

/** Encodes a hello. */
export function encodeWsHello(app: string, peer: string): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeUint8(e, WsLinkType.Hello)
  encoding.writeVarUint(e, WS_LINK_VERSION)
  encoding.writeVarString(e, app)
  encoding.writeVarString(e, peer)
  return encoding.toUint8Array(e)
}

/** Encodes one sship frame for the link (one copy: the type byte, then the frame). */
export function encodeWsFrame(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.byteLength + 1)
  out[0] = WsLinkType.Frame
  out.set(frame, 1)
  return out
}

/** Decodes one link message; undefined if it is truncated or of an unknown type. */
export function decodeWsLink(data: Uint8Array): WsLinkMessage | undefined {
  if (data.byteLength === 0) return undefined
  if (data[0] === WsLinkType.Frame) return { type: WsLinkType.Frame, frame: data.subarray(1) }
  if (data[0] !== WsLinkType.Hello) return undefined
  try {
    const d = decoding.createDecoder(data.subarray(1))
    const version = decoding.readVarUint(d)
    const app = decoding.readVarString(d)
    const peer = decoding.readVarString(d)
    if (peer.length === 0 || peer.length > 128) return undefined
    return { type: WsLinkType.Hello, version, app, peer }
  } catch {
    return undefined
  }
}
