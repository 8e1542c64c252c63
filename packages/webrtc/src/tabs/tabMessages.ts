import { FrameError, FrameErrorCode } from '@sship/core'
import type { DecodeResult } from '@sship/core/internals'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/**
 * The wire format between the tabs of one browser (over `BroadcastChannel`): `[version][type]
 * [from][body]`, pure functions over bytes. `Hello` and `Bye` go on the room's channel, to every
 * tab; a `Hello` in reply and every `Frame` go on the addressee's own channel, so a tab never
 * sees (or decrypts) frames meant for another.
 */
export const TAB_PROTOCOL_VERSION = 1

/** Numeric types of {@link TabMessage}s. */
export const TabMessageType = {
  /** "I am here": on start (`fresh`, asking every tab to answer), as a heartbeat, and as the answer. */
  Hello: 0,
  /** The sender is closing on purpose. */
  Bye: 1,
  /** One whole frame for the tab whose channel carries it. */
  Frame: 2
} as const
/** One of {@link TabMessageType}'s values. */
export type TabMessageType = (typeof TabMessageType)[keyof typeof TabMessageType]

/** One tab message, decoded. A frame's `bytes` are a view into the received message. */
export type TabMessage =
  | { readonly type: typeof TabMessageType.Hello; readonly from: string; readonly fresh: boolean }
  | { readonly type: typeof TabMessageType.Bye; readonly from: string }
  | { readonly type: typeof TabMessageType.Frame; readonly from: string; readonly bytes: Uint8Array }

const header = (type: TabMessageType, from: string): encoding.Encoder => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, TAB_PROTOCOL_VERSION)
  encoding.writeVarUint(encoder, type)
  encoding.writeVarString(encoder, from)
  return encoder
}

/** Encodes a `Hello` from `from`; `fresh` asks every tab that hears it to answer. */
export function encodeTabHello(from: string, fresh: boolean): Uint8Array {
  const encoder = header(TabMessageType.Hello, from)
  encoding.writeUint8(encoder, fresh ? 1 : 0)
  return encoding.toUint8Array(encoder)
}

/** Encodes a `Bye` from `from`. */
export function encodeTabBye(from: string): Uint8Array {
  return encoding.toUint8Array(header(TabMessageType.Bye, from))
}

/** Encodes one frame from `from`. */
export function encodeTabFrame(from: string, frame: Uint8Array): Uint8Array {
  const encoder = header(TabMessageType.Frame, from)
  encoding.writeUint8Array(encoder, frame)
  return encoding.toUint8Array(encoder)
}

const fail = (code: FrameErrorCode, message: string): DecodeResult<TabMessage> => ({ ok: false, error: new FrameError(code, message) })

/** Decodes one tab message. Never throws. */
export function decodeTabMessage(message: Uint8Array): DecodeResult<TabMessage> {
  try {
    const decoder = decoding.createDecoder(message)
    const version = decoding.readVarUint(decoder)
    if (version !== TAB_PROTOCOL_VERSION) return fail(FrameErrorCode.BadVersion, `tab protocol version ${version}, expected ${TAB_PROTOCOL_VERSION}`)
    const type = decoding.readVarUint(decoder)
    const from = decoding.readVarString(decoder)
    if (from.length === 0) return fail(FrameErrorCode.Malformed, 'tab message without a sender')
    switch (type) {
      case TabMessageType.Hello: {
        const flag = decoding.readUint8(decoder)
        if (flag > 1) return fail(FrameErrorCode.Malformed, `Hello flag ${flag}`)
        return { ok: true, value: { type, from, fresh: flag === 1 } }
      }
      case TabMessageType.Bye: return { ok: true, value: { type, from } }
      case TabMessageType.Frame: return { ok: true, value: { type, from, bytes: message.subarray(decoder.pos) } }
      default: return fail(FrameErrorCode.UnknownType, `unknown tab message type ${type}`)
    }
  } catch (cause) {
    return fail(FrameErrorCode.Truncated, `truncated tab message: ${String(cause)}`)
  }
}
