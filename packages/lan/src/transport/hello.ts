import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { asPeerId, type PeerId } from '@sship/core'
import { CloseCode } from './CloseCode.js'

/**
 * The LAN link handshake, as pure functions over bytes. The dialer sends a hello as the first
 * binary message of a WebSocket; the acceptor checks it and answers with its own hello (or
 * closes the socket with a {@link CloseCode} and a reason). Every later binary message is one
 * sship frame, unwrapped.
 *
 * ```text
 * hello = varuint LAN_WIRE_VERSION · varuint LanMessageType.Hello · varuint protocol
 *         · varstring app · varstring peerId · varstring session
 * ```
 */

/** Version of the LAN handshake format (independent of the sship protocol version inside it). */
export const LAN_WIRE_VERSION = 1

/** Numeric message types of the handshake. Values are part of the wire format: never reuse one. */
export const LanMessageType = {
  /** "I am peer `peerId` (process `session`) of app `app`, speaking sship protocol `protocol`." */
  Hello: 0
} as const
/** One of {@link LanMessageType}'s values. */
export type LanMessageType = (typeof LanMessageType)[keyof typeof LanMessageType]

/** A decoded hello. */
export interface Hello {
  /** The sender's sship protocol version (`PROTOCOL_VERSION` of its `@sship/core`). */
  readonly protocol: number
  /** The app the sender serves. */
  readonly app: string
  /** The sender's GUID. */
  readonly peerId: PeerId
  /** Random per transport instance: tells a restarted peer (same GUID) from a second link of the same process. */
  readonly session: string
}

/** Result of {@link decodeHello}; never throws. */
export type HelloResult = { readonly ok: true; readonly hello: Hello } | { readonly ok: false; readonly reason: string }

/** Longest app name, GUID or session accepted in a hello (characters). */
const MAX_FIELD = 256

/** Encodes a hello. Pure. */
export function encodeHello(hello: Hello): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, LAN_WIRE_VERSION)
  encoding.writeVarUint(e, LanMessageType.Hello)
  encoding.writeVarUint(e, hello.protocol)
  encoding.writeVarString(e, hello.app)
  encoding.writeVarString(e, hello.peerId)
  encoding.writeVarString(e, hello.session)
  return encoding.toUint8Array(e)
}

/** Decodes a hello. Pure; every failure is a value with a reason fit for a close frame. */
export function decodeHello(bytes: Uint8Array): HelloResult {
  try {
    const d = decoding.createDecoder(bytes)
    const wire = decoding.readVarUint(d)
    if (wire !== LAN_WIRE_VERSION) return { ok: false, reason: `LAN handshake version ${wire} is not ${LAN_WIRE_VERSION}` }
    const type = decoding.readVarUint(d)
    if (type !== LanMessageType.Hello) return { ok: false, reason: `expected a hello, got message type ${type}` }
    const protocol = decoding.readVarUint(d)
    const app = decoding.readVarString(d)
    const peerId = decoding.readVarString(d)
    const session = decoding.readVarString(d)
    if (d.pos > bytes.byteLength) return { ok: false, reason: 'hello is truncated' }
    if (decoding.hasContent(d)) return { ok: false, reason: 'hello has trailing bytes' }
    if ([app, peerId, session].some((s) => s.length > MAX_FIELD) || peerId.length === 0 || peerId.length > 128) {
      return { ok: false, reason: 'hello has an empty or over-long field' }
    }
    return { ok: true, hello: { protocol, app, peerId: asPeerId(peerId), session } }
  } catch {
    return { ok: false, reason: 'hello is truncated' }
  }
}

/** Why `theirs` cannot link with `ours`, as a close code and reason; undefined if it can. */
export function checkHello(ours: Hello, theirs: Hello): { readonly code: CloseCode; readonly reason: string } | undefined {
  if (theirs.app !== ours.app) return { code: CloseCode.WrongApp, reason: clip(`wrong app: this peer serves "${ours.app}", not "${theirs.app}"`) }
  if (theirs.protocol !== ours.protocol) {
    return { code: CloseCode.WrongVersion, reason: `wrong protocol version: this peer speaks ${ours.protocol}, the other ${theirs.protocol}` }
  }
  if (theirs.peerId === ours.peerId) return { code: CloseCode.Self, reason: 'this link leads back to the same peer' }
  return undefined
}

/** WebSocket close reasons are at most 123 bytes of UTF-8. */
export function clip(reason: string): string {
  const bytes = new TextEncoder().encode(reason)
  if (bytes.byteLength <= 123) return reason
  return new TextDecoder().decode(bytes.subarray(0, 120)).replace(/\uFFFD$/, '') + '...'
}
