import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { FrameError, FrameErrorCode } from '../errors/errors.js'
import { PROTOCOL_VERSION, isMessageType, type MessageType } from './MessageType.js'

/** Default largest frame accepted or sent: 16 MiB (a big document's first sync fits). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024

/** A decoded envelope: its type and the payload bytes (a view into the frame). */
export interface Envelope {
  readonly type: MessageType
  readonly payload: Uint8Array
}

/** Result of {@link decodeEnvelope}: never throws, so a bad frame cannot escape a receive handler. */
export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FrameError }

/** Wraps a payload as `[version][type][payload]`. Pure. */
export function encodeEnvelope(type: MessageType, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, PROTOCOL_VERSION)
  encoding.writeVarUint(encoder, type)
  encoding.writeUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

/** Reads an envelope. Pure; reports every failure as a {@link FrameError} value. */
export function decodeEnvelope(frame: Uint8Array, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): DecodeResult<Envelope> {
  if (frame.byteLength > maxFrameBytes) {
    return fail(FrameErrorCode.Oversized, `frame of ${frame.byteLength} bytes exceeds the limit of ${maxFrameBytes}`)
  }
  if (frame.byteLength < 2) return fail(FrameErrorCode.Truncated, `frame of ${frame.byteLength} bytes is too short`)
  try {
    const decoder = decoding.createDecoder(frame)
    const version = decoding.readVarUint(decoder)
    if (version !== PROTOCOL_VERSION) {
      return fail(FrameErrorCode.BadVersion, `protocol version ${version} is not ${PROTOCOL_VERSION}`)
    }
    const type = decoding.readVarUint(decoder)
    if (!isMessageType(type)) return fail(FrameErrorCode.UnknownType, `unknown message type ${type}`)
    return { ok: true, value: { type, payload: frame.subarray(decoder.pos) } }
  } catch (cause) {
    return fail(FrameErrorCode.Truncated, 'frame ends inside its header', cause)
  }
}

function fail<T>(code: FrameErrorCode, message: string, cause?: unknown): DecodeResult<T> {
  return { ok: false, error: new FrameError(code, message, cause === undefined ? undefined : { cause }) }
}

/**
 * Runs a payload decoder, turning any exception (lib0 throws on reading past the end) and any
 * trailing garbage into a `malformed` or `truncated` {@link FrameError}.
 */
export function decodeWith<T>(payload: Uint8Array, read: (decoder: decoding.Decoder) => T): DecodeResult<T> {
  try {
    const decoder = decoding.createDecoder(payload)
    const value = read(decoder)
    if (decoder.pos > payload.byteLength) return fail(FrameErrorCode.Truncated, 'payload ends early')
    if (decoding.hasContent(decoder)) return fail(FrameErrorCode.Malformed, 'payload has trailing bytes')
    return { ok: true, value }
  } catch (cause) {
    const truncated = cause instanceof Error && /unexpected end|out of bounds/i.test(cause.message)
    return fail(
      truncated ? FrameErrorCode.Truncated : FrameErrorCode.Malformed,
      `payload could not be decoded: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause
    )
  }
}
