import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { asEpoch, asPeerId, type Epoch, type PeerId } from '../ids/ids.js'
import { decodeWith, encodeEnvelope, type DecodeResult } from './envelope.js'
import { MessageType } from './MessageType.js'

/**
 * Payloads of the coordinator's messages. Each is a plain object; `encode*` gives a full frame
 * (envelope included) and `decode*` reads a payload. All pure, no I/O.
 */

/**
 * A term: the coordinator `leader` serving at `epoch`. `nonce` tells apart two terms a peer
 * claimed at the same epoch in different lives (it restarted with an empty document).
 * Terms are ordered by epoch, then leader, then nonce.
 */
export interface TermRef {
  readonly epoch: Epoch
  readonly leader: PeerId
  readonly nonce: number
}

/** Coordinator → peers, every heartbeat interval. */
export interface Heartbeat extends TermRef {
  /** Version of the coordinator's alive view; a follower that has another asks for the View. */
  readonly viewVersion: number
  /** Digest of the coordinator's document (state vector and delete set): a mismatch triggers a sync. */
  readonly digest: number
  /** Decisions the coordinator has written in this term so far. */
  readonly count: number
  /** Decisions of this term held by a majority (quorum mode; equals `count` otherwise). */
  readonly committed: number
}

/** Follower → coordinator, the reply to a heartbeat. */
export interface HeartbeatAck extends TermRef {
  /** The alive-view version the follower holds. */
  readonly viewVersion: number
  /** Digest of the follower's document. */
  readonly digest: number
  /** How many decisions of the acked term the follower holds without a gap. */
  readonly count: number
}

/** Candidate → peers in quorum mode: a proposed term and the candidate's state vector. */
export interface VoteRequest extends TermRef {
  readonly stateVector: Uint8Array
}

/** Peer → candidate in quorum mode: the vote on `term`, with what the candidate lacks. */
export interface VoteReply extends TermRef {
  readonly granted: boolean
  readonly update: Uint8Array
}

/** Coordinator → follower: the peers it currently sees alive, in successorship order. */
export interface View {
  readonly viewVersion: number
  readonly alive: readonly PeerId[]
}

/** Candidate → peer: its state vector, so the peer replies with everything the candidate lacks. */
export interface CatchUpRequest {
  readonly nonce: number
  readonly stateVector: Uint8Array
  /**
   * How long the asker has not heard a coordinator itself, in ms ({@link MAX_SILENT_MS} for never):
   * a peer vouches for the coordinator it hears only if it heard it after the asker last did.
   */
  readonly silentMs: number
}

/** The largest {@link CatchUpRequest.silentMs}: the asker never heard a coordinator. */
export const MAX_SILENT_MS = 0x7fffffff

/** Peer → candidate: a Yjs update with what the candidate lacks. */
export interface CatchUpReply {
  readonly nonce: number
  readonly update: Uint8Array
  /**
   * The term of a coordinator the replier hears directly right now (or leads), else null. A
   * candidate that lost only its own link to a live coordinator follows it indirectly instead
   * of deposing it.
   */
  readonly heard: TermRef | null
}

/** A preferred peer asks the coordinator of `term` to hand the role over; carries its state vector. */
export interface HandoffRequest extends TermRef {
  readonly stateVector: Uint8Array
}

/** The coordinator of `term` hands over: it wrote exactly `count` decisions; `update` has what the peer lacks. */
export interface Handoff extends TermRef {
  readonly count: number
  readonly update: Uint8Array
}

function writeTerm(encoder: encoding.Encoder, term: TermRef): void {
  encoding.writeVarUint(encoder, term.epoch)
  encoding.writeVarString(encoder, term.leader)
  encoding.writeVarUint(encoder, term.nonce)
}

/** A varuint that must be a safe integer (lib0 decodes 8-byte varuints to larger, rounded numbers). */
function readSafeUint(decoder: decoding.Decoder): number {
  const n = decoding.readVarUint(decoder)
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${n} is above Number.MAX_SAFE_INTEGER`)
  return n
}

function readTerm(decoder: decoding.Decoder): TermRef {
  const epoch = asEpoch(readSafeUint(decoder))
  const leader = asPeerId(decoding.readVarString(decoder))
  const nonce = readSafeUint(decoder)
  return { epoch, leader, nonce }
}

function frame(type: MessageType, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encodeEnvelope(type, encoding.toUint8Array(encoder))
}

/** Encodes a {@link Heartbeat} frame. */
export function encodeHeartbeat(m: Heartbeat): Uint8Array {
  return frame(MessageType.Heartbeat, (e) => {
    writeTerm(e, m)
    encoding.writeVarUint(e, m.viewVersion)
    encoding.writeUint32(e, m.digest)
    encoding.writeVarUint(e, m.count)
    encoding.writeVarUint(e, m.committed)
  })
}

/** Decodes a {@link Heartbeat} payload. */
export function decodeHeartbeat(payload: Uint8Array): DecodeResult<Heartbeat> {
  return decodeWith(payload, (d) => {
    const term = readTerm(d)
    return {
      ...term, viewVersion: readSafeUint(d), digest: decoding.readUint32(d), count: readSafeUint(d), committed: readSafeUint(d)
    }
  })
}

/** Encodes a {@link HeartbeatAck} frame. */
export function encodeHeartbeatAck(m: HeartbeatAck): Uint8Array {
  return frame(MessageType.HeartbeatAck, (e) => {
    writeTerm(e, m)
    encoding.writeVarUint(e, m.viewVersion)
    encoding.writeUint32(e, m.digest)
    encoding.writeVarUint(e, m.count)
  })
}

/** Decodes a {@link HeartbeatAck} payload. */
export function decodeHeartbeatAck(payload: Uint8Array): DecodeResult<HeartbeatAck> {
  return decodeWith(payload, (d) => {
    const term = readTerm(d)
    return { ...term, viewVersion: readSafeUint(d), digest: decoding.readUint32(d), count: readSafeUint(d) }
  })
}

/** Encodes a {@link View} frame. */
export function encodeView(m: View): Uint8Array {
  return frame(MessageType.View, (e) => {
    encoding.writeVarUint(e, m.viewVersion)
    encoding.writeVarUint(e, m.alive.length)
    for (const peer of m.alive) encoding.writeVarString(e, peer)
  })
}

/** Decodes a {@link View} payload. */
export function decodeView(payload: Uint8Array): DecodeResult<View> {
  return decodeWith(payload, (d) => {
    const viewVersion = readSafeUint(d)
    const n = readSafeUint(d)
    if (n > payload.byteLength) throw new RangeError(`view claims ${n} peers in ${payload.byteLength} bytes`)
    const alive: PeerId[] = []
    for (let i = 0; i < n; i++) alive.push(asPeerId(decoding.readVarString(d)))
    return { viewVersion, alive }
  })
}

/** Encodes a {@link CatchUpRequest} frame. */
export function encodeCatchUpRequest(m: CatchUpRequest): Uint8Array {
  return frame(MessageType.CatchUpRequest, (e) => {
    encoding.writeVarUint(e, m.nonce)
    encoding.writeVarUint8Array(e, m.stateVector)
    encoding.writeVarUint(e, Math.min(MAX_SILENT_MS, Math.max(0, Math.round(m.silentMs))))
  })
}

/** Decodes a {@link CatchUpRequest} payload. */
export function decodeCatchUpRequest(payload: Uint8Array): DecodeResult<CatchUpRequest> {
  return decodeWith(payload, (d) => {
    const nonce = readSafeUint(d)
    const stateVector = decoding.readVarUint8Array(d)
    const silentMs = readSafeUint(d)
    if (silentMs > MAX_SILENT_MS) throw new RangeError(`silentMs ${silentMs} is above ${MAX_SILENT_MS}`)
    return { nonce, stateVector, silentMs }
  })
}

/** Encodes a {@link CatchUpReply} frame. */
export function encodeCatchUpReply(m: CatchUpReply): Uint8Array {
  return frame(MessageType.CatchUpReply, (e) => {
    encoding.writeVarUint(e, m.nonce)
    encoding.writeVarUint8Array(e, m.update)
    encoding.writeUint8(e, m.heard === null ? 0 : 1)
    if (m.heard !== null) writeTerm(e, m.heard)
  })
}

/** Decodes a {@link CatchUpReply} payload. */
export function decodeCatchUpReply(payload: Uint8Array): DecodeResult<CatchUpReply> {
  return decodeWith(payload, (d) => {
    const nonce = readSafeUint(d)
    const update = decoding.readVarUint8Array(d)
    const flag = decoding.readUint8(d)
    if (flag > 1) throw new RangeError(`bad heard flag ${flag}`)
    return { nonce, update, heard: flag === 1 ? readTerm(d) : null }
  })
}

/** Encodes a {@link HandoffRequest} frame. */
export function encodeHandoffRequest(m: HandoffRequest): Uint8Array {
  return frame(MessageType.HandoffRequest, (e) => {
    writeTerm(e, m)
    encoding.writeVarUint8Array(e, m.stateVector)
  })
}

/** Decodes a {@link HandoffRequest} payload. */
export function decodeHandoffRequest(payload: Uint8Array): DecodeResult<HandoffRequest> {
  return decodeWith(payload, (d) => ({ ...readTerm(d), stateVector: decoding.readVarUint8Array(d) }))
}

/** Encodes a {@link Handoff} frame. */
export function encodeHandoff(m: Handoff): Uint8Array {
  return frame(MessageType.Handoff, (e) => {
    writeTerm(e, m)
    encoding.writeVarUint(e, m.count)
    encoding.writeVarUint8Array(e, m.update)
  })
}

/** Decodes a {@link Handoff} payload. */
export function decodeHandoff(payload: Uint8Array): DecodeResult<Handoff> {
  return decodeWith(payload, (d) => ({ ...readTerm(d), count: readSafeUint(d), update: decoding.readVarUint8Array(d) }))
}

/** Encodes a {@link VoteRequest} frame. */
export function encodeVoteRequest(m: VoteRequest): Uint8Array {
  return frame(MessageType.VoteRequest, (e) => {
    writeTerm(e, m)
    encoding.writeVarUint8Array(e, m.stateVector)
  })
}

/** Decodes a {@link VoteRequest} payload. */
export function decodeVoteRequest(payload: Uint8Array): DecodeResult<VoteRequest> {
  return decodeWith(payload, (d) => ({ ...readTerm(d), stateVector: decoding.readVarUint8Array(d) }))
}

/** Encodes a {@link VoteReply} frame. */
export function encodeVoteReply(m: VoteReply): Uint8Array {
  return frame(MessageType.VoteReply, (e) => {
    writeTerm(e, m)
    encoding.writeUint8(e, m.granted ? 1 : 0)
    encoding.writeVarUint8Array(e, m.update)
  })
}

/** Decodes a {@link VoteReply} payload. */
export function decodeVoteReply(payload: Uint8Array): DecodeResult<VoteReply> {
  return decodeWith(payload, (d) => ({ ...readTerm(d), granted: decoding.readUint8(d) === 1, update: decoding.readVarUint8Array(d) }))
}
