import { FrameError, FrameErrorCode } from '@sship/core'
import type { DecodeResult } from '@sship/core/internals'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/**
 * The wire format on a peer-to-peer data channel: `[version][type][body]`, pure functions over
 * bytes. A frame larger than one chunk is split into `FrameStart` (carrying the total length)
 * and `FrameMore` chunks; the channel is ordered and reliable, and a link writes a frame's chunks
 * back to back, so no frame id is needed.
 */
export const LINK_PROTOCOL_VERSION = 1

/** Numeric types of {@link LinkMessage}s. */
export const LinkMessageType = {
  /** First message on a channel, both ways: the sender's PeerId. */
  Hello: 0,
  /** A whole frame in one message. */
  Frame: 1,
  /** The first chunk of a larger frame, with the frame's total length. */
  FrameStart: 2,
  /** A following chunk of the frame in progress. */
  FrameMore: 3,
  /** The sender is closing on purpose. */
  Bye: 4
} as const
/** One of {@link LinkMessageType}'s values. */
export type LinkMessageType = (typeof LinkMessageType)[keyof typeof LinkMessageType]

/** One data-channel message, decoded. `bytes` are views into the received message. */
export type LinkMessage =
  | { readonly type: typeof LinkMessageType.Hello; readonly peerId: string }
  | { readonly type: typeof LinkMessageType.Frame; readonly bytes: Uint8Array }
  | { readonly type: typeof LinkMessageType.FrameStart; readonly total: number; readonly bytes: Uint8Array }
  | { readonly type: typeof LinkMessageType.FrameMore; readonly bytes: Uint8Array }
  | { readonly type: typeof LinkMessageType.Bye }

/** Largest chunk body by default: 16 KiB, the size every browser's data channel accepts. */
export const DEFAULT_CHUNK_BYTES = 16 * 1024

const header = (type: LinkMessageType): encoding.Encoder => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, LINK_PROTOCOL_VERSION)
  encoding.writeVarUint(encoder, type)
  return encoder
}

/** Encodes a `Hello` carrying `peerId`. */
export function encodeHello(peerId: string): Uint8Array {
  const encoder = header(LinkMessageType.Hello)
  encoding.writeVarString(encoder, peerId)
  return encoding.toUint8Array(encoder)
}

/** Encodes a `Bye`. */
export function encodeBye(): Uint8Array {
  return encoding.toUint8Array(header(LinkMessageType.Bye))
}

/** Splits one frame into the data-channel messages that carry it (one `Frame`, or `FrameStart` + `FrameMore`s). */
export function encodeFrame(frame: Uint8Array, chunkBytes = DEFAULT_CHUNK_BYTES): Uint8Array[] {
  if (frame.byteLength <= chunkBytes) {
    const encoder = header(LinkMessageType.Frame)
    encoding.writeUint8Array(encoder, frame)
    return [encoding.toUint8Array(encoder)]
  }
  const first = header(LinkMessageType.FrameStart)
  encoding.writeVarUint(first, frame.byteLength)
  encoding.writeUint8Array(first, frame.subarray(0, chunkBytes))
  const out = [encoding.toUint8Array(first)]
  for (let at = chunkBytes; at < frame.byteLength; at += chunkBytes) {
    const more = header(LinkMessageType.FrameMore)
    encoding.writeUint8Array(more, frame.subarray(at, at + chunkBytes))
    out.push(encoding.toUint8Array(more))
  }
  return out
}

const fail = (code: FrameErrorCode, message: string): DecodeResult<LinkMessage> =>
  ({ ok: false, error: new FrameError(code, message) })

/** Decodes one data-channel message. Never throws. */
export function decodeLinkMessage(message: Uint8Array): DecodeResult<LinkMessage> {
  try {
    const decoder = decoding.createDecoder(message)
    const version = decoding.readVarUint(decoder)
    if (version !== LINK_PROTOCOL_VERSION) return fail(FrameErrorCode.BadVersion, `link protocol version ${version}, expected ${LINK_PROTOCOL_VERSION}`)
    const type = decoding.readVarUint(decoder)
    const rest = (): Uint8Array => message.subarray(decoder.pos)
    switch (type) {
      case LinkMessageType.Hello: return { ok: true, value: { type, peerId: decoding.readVarString(decoder) } }
      case LinkMessageType.Frame: return { ok: true, value: { type, bytes: rest() } }
      case LinkMessageType.FrameStart: {
        const total = decoding.readVarUint(decoder)
        return { ok: true, value: { type, total, bytes: rest() } }
      }
      case LinkMessageType.FrameMore: return { ok: true, value: { type, bytes: rest() } }
      case LinkMessageType.Bye: return { ok: true, value: { type } }
      default: return fail(FrameErrorCode.UnknownType, `unknown link message type ${type}`)
    }
  } catch (cause) {
    return fail(FrameErrorCode.Truncated, `truncated link message: ${String(cause)}`)
  }
}
