/**
 * The y-webrtc signaling protocol (the messages of y-webrtc's `bin/server.js`), as types and
 * pure parse/format functions. It is JSON over WebSocket rather than numeric binary messages
 * (our usual wire style) because compatibility with stock y-webrtc servers and clients is the
 * point: any y-webrtc signaling server can introduce sship peers, and ours can serve y-webrtc.
 */

/** A message a client sends to a signaling server. */
export type ClientMessage =
  | { readonly type: 'subscribe'; readonly topics: readonly string[] }
  | { readonly type: 'unsubscribe'; readonly topics: readonly string[] }
  | { readonly type: 'publish'; readonly topic: string; readonly data: unknown }
  | { readonly type: 'ping' }

/** A message a signaling server sends to a client: a relayed publish (with its receiver count), or a pong. */
export type ServerMessage =
  | { readonly type: 'publish'; readonly topic: string; readonly data: unknown; readonly clients?: number }
  | { readonly type: 'pong' }

/** Any message of the signaling protocol, either direction. */
export type SignalingMessage = ClientMessage | ServerMessage

/** The payload of a `publish` inside a room (topic): y-webrtc's `announce` and `signal`. */
export type RoomMessage =
  | { readonly type: 'announce'; readonly from: string; readonly to?: string }
  | {
    readonly type: 'signal'
    readonly from: string
    readonly to: string
    /** y-webrtc's glare token (a time stamp with jitter); kept for compatibility. */
    readonly token?: number
    /** A simple-peer signal: an offer or answer (`type`, `sdp`) or a trickled `candidate`. */
    readonly signal: SignalPayload
  }

/** A simple-peer signal as it travels through signaling (opaque JSON apart from these fields). */
export interface SignalPayload {
  readonly type?: string
  readonly sdp?: string
  readonly candidate?: { readonly candidate?: string; readonly sdpMid?: string | null; readonly sdpMLineIndex?: number | null }
  readonly [key: string]: unknown
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isString = (v: unknown): v is string => typeof v === 'string'

/** Serializes one message for the WebSocket. */
export function formatSignalingMessage(message: SignalingMessage): string {
  return JSON.stringify(message)
}

/**
 * Parses one WebSocket text message; `undefined` for anything that is not a well-formed message
 * of the protocol (the caller ignores it, as y-webrtc's server does).
 */
export function parseSignalingMessage(text: string): SignalingMessage | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  switch (value.type) {
    case 'subscribe':
    case 'unsubscribe': {
      const topics = Array.isArray(value.topics) ? value.topics.filter(isString) : []
      return { type: value.type, topics }
    }
    case 'publish': {
      if (!isString(value.topic)) return undefined
      const clients = typeof value.clients === 'number' ? { clients: value.clients } : {}
      return { type: 'publish', topic: value.topic, data: value.data, ...clients }
    }
    case 'ping':
    case 'pong':
      return { type: value.type }
    default:
      return undefined
  }
}

/**
 * Parses the `data` of a room publish (decrypted first, in a room with a password); `undefined`
 * for anything else.
 */
export function parseRoomMessage(data: unknown): RoomMessage | undefined {
  if (!isRecord(data) || !isString(data.from) || data.from.length === 0) return undefined
  if (data.type === 'announce') {
    return isString(data.to) ? { type: 'announce', from: data.from, to: data.to } : { type: 'announce', from: data.from }
  }
  if (data.type === 'signal' && isString(data.to) && isRecord(data.signal)) {
    const token = typeof data.token === 'number' ? { token: data.token } : {}
    return { type: 'signal', from: data.from, to: data.to, signal: data.signal as SignalPayload, ...token }
  }
  return undefined
}
