import type { Rate } from '@sship/core'

/**
 * What one signaling connection, and the whole server, may cost. A y-webrtc client subscribes
 * to one topic per room, publishes an announce and a few signals (offer, answer, trickled ICE
 * candidates of a few KiB) per peer it meets, and pings now and then: these limits sit one to two
 * orders of magnitude above that (a test runs real y-webrtc clients against them), and well below
 * what fills a server's memory or floods its subscribers.
 */
export interface SignalingLimits {
  /** Largest message, in bytes (ws closes a connection that sends more with 1009). */
  readonly maxMessageBytes: number
  /** Topics one connection may subscribe to at once. */
  readonly topicsPerConnection: number
  /** Longest topic name, in characters. */
  readonly maxTopicChars: number
  /** Topics with subscribers on the whole server. */
  readonly maxTopics: number
  /** Messages of any kind one connection may send. */
  readonly messages: Rate
  /** Connections the server holds at once. */
  readonly maxConnections: number
  /** A receiver whose send queue passes this many bytes is not reading: it is dropped. */
  readonly maxQueuedBytes: number
}

/** The defaults of {@link SignalingLimits}. */
export const DEFAULT_SIGNALING_LIMITS: SignalingLimits = {
  maxMessageBytes: 64 * 1024,
  topicsPerConnection: 32,
  maxTopicChars: 256,
  maxTopics: 4096,
  messages: { perSecond: 50, burst: 300 },
  maxConnections: 1024,
  maxQueuedBytes: 4 * 1024 * 1024
}

/** Close codes of the signaling server for a client over its limits (4000-4999: the application's range). */
export const SignalingCloseCode = {
  /** More messages per second than {@link SignalingLimits.messages}. */
  TooManyMessages: 4400,
  /** More topics than allowed (per connection or on the server), or a topic name too long. */
  TooManyTopics: 4401,
  /** The client did not read what was relayed to it. */
  NotReading: 4402,
  /** The server holds as many connections as it accepts. */
  ServerFull: 4403
} as const
/** One of {@link SignalingCloseCode}'s values. */
export type SignalingCloseCode = (typeof SignalingCloseCode)[keyof typeof SignalingCloseCode]
