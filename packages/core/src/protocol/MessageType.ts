/** The wire protocol version this build speaks. Frames with another version are dropped. */
export const PROTOCOL_VERSION = 1

/** Numeric message types of the sship envelope. Values are part of the wire format: never reuse one. */
export const MessageType = {
  /** A y-protocols sync message (step 1, step 2 or update). */
  Sync: 0,
  /** A y-protocols awareness update. */
  Awareness: 1,
  /** Coordinator → peers: "I lead term (epoch, leader)". */
  Heartbeat: 2,
  /** Peer → coordinator: the reply to a heartbeat. */
  HeartbeatAck: 3,
  /** Coordinator → peer: the full list of peers it sees alive. */
  View: 4,
  /** Candidate → peer: "send me what I am missing" before it claims a term. */
  CatchUpRequest: 5,
  /** Peer → candidate: the missing Yjs update. */
  CatchUpReply: 6,
  /** Preferred peer → coordinator: "hand the role to me" (failback). */
  HandoffRequest: 7,
  /** Coordinator → preferred peer: the role, with the final decision count of its term. */
  Handoff: 8,
  /** Peer → random peer, now and then: "my document's digest is …" (anti-entropy). */
  Digest: 9,
  /** Candidate → peers (quorum mode): "vote for my term"; carries its state vector. */
  VoteRequest: 10,
  /** Peer → candidate (quorum mode): the vote, with what the candidate lacks. */
  VoteReply: 11
} as const

/** One of {@link MessageType}'s values. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType]

const known = new Set<number>(Object.values(MessageType))

/** True if `n` is a message type this build understands. */
export function isMessageType(n: number): n is MessageType {
  return known.has(n)
}
