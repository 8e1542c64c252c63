import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import { FrameErrorCode } from '../src/errors/errors.js'
import { MAX_EPOCH, asEpoch, asPeerId } from '../src/ids/ids.js'
import * as messages from '../src/protocol/coordinatorMessages.js'
import { decodeEnvelope, type DecodeResult } from '../src/protocol/envelope.js'
import { MessageType } from '../src/protocol/MessageType.js'

const MAX = Number.MAX_SAFE_INTEGER
const terms: messages.TermRef[] = [
  { epoch: asEpoch(7), leader: asPeerId('s01'), nonce: 0xdeadbeef },
  { epoch: asEpoch(0), leader: asPeerId('x'), nonce: 0 },
  { epoch: asEpoch(MAX_EPOCH), leader: asPeerId('é日😀'.repeat(10)), nonce: MAX },
  { epoch: asEpoch(128), leader: asPeerId('p'.repeat(128)), nonce: 2 ** 32 }
]
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff)

/** One message kind: its type, its codec, and sample values (edges included). */
interface Case {
  readonly name: string
  readonly type: MessageType
  readonly encode: (m: never) => Uint8Array
  readonly decode: (payload: Uint8Array) => DecodeResult<unknown>
  readonly samples: readonly unknown[]
}

function kind<T>(name: string, type: MessageType, encode: (m: T) => Uint8Array, decode: (p: Uint8Array) => DecodeResult<T>, samples: T[]): Case {
  return { name, type, encode: encode as (m: never) => Uint8Array, decode, samples }
}

const cases: Case[] = [
  kind('Heartbeat', MessageType.Heartbeat, messages.encodeHeartbeat, messages.decodeHeartbeat, terms.map((t, i) => ({
    ...t, viewVersion: [0, 1, MAX, 300][i] ?? 0, digest: [0, 2 ** 32 - 1, 1, 0x80000000][i] ?? 0, count: i * 1000, committed: i
  }))),
  kind('HeartbeatAck', MessageType.HeartbeatAck, messages.encodeHeartbeatAck, messages.decodeHeartbeatAck, terms.map((t, i) => ({
    ...t, viewVersion: i, digest: [2 ** 32 - 1, 0, 12345, 1][i] ?? 0, count: [0, MAX, 5, 128][i] ?? 0
  }))),
  kind('VoteRequest', MessageType.VoteRequest, messages.encodeVoteRequest, messages.decodeVoteRequest, terms.map((t, i) => ({
    ...t, stateVector: bytes([0, 1, 200, 5][i] ?? 0)
  }))),
  kind('VoteReply', MessageType.VoteReply, messages.encodeVoteReply, messages.decodeVoteReply, terms.map((t, i) => ({
    ...t, granted: i % 2 === 0, update: bytes([0, 3, 1000, 2][i] ?? 0)
  }))),
  kind('View', MessageType.View, messages.encodeView, messages.decodeView, [
    { viewVersion: 0, alive: [] },
    { viewVersion: 1, alive: [asPeerId('s00')] },
    { viewVersion: MAX, alive: Array.from({ length: 50 }, (_, i) => asPeerId(`peer-${i}`)) },
    { viewVersion: 2, alive: [asPeerId('p'.repeat(128)), asPeerId('日本')] }
  ]),
  kind('CatchUpRequest', MessageType.CatchUpRequest, messages.encodeCatchUpRequest, messages.decodeCatchUpRequest, [
    { nonce: 0, stateVector: bytes(0), silentMs: 0 }, { nonce: 1, stateVector: bytes(1), silentMs: 250 },
    { nonce: MAX, stateVector: bytes(300), silentMs: messages.MAX_SILENT_MS }
  ]),
  kind('CatchUpReply', MessageType.CatchUpReply, messages.encodeCatchUpReply, messages.decodeCatchUpReply, [
    { nonce: 0, update: bytes(0), heard: null }, { nonce: 2 ** 32, update: bytes(2), heard: terms[1]! },
    { nonce: MAX, update: bytes(70_000), heard: null }, { nonce: 5, update: bytes(3), heard: terms[3]! }
  ]),
  kind('HandoffRequest', MessageType.HandoffRequest, messages.encodeHandoffRequest, messages.decodeHandoffRequest, terms.map((t, i) => ({
    ...t, stateVector: bytes(i * 10)
  }))),
  kind('Handoff', MessageType.Handoff, messages.encodeHandoff, messages.decodeHandoff, terms.map((t, i) => ({
    ...t, count: [0, 1, MAX, 77][i] ?? 0, update: bytes(i * 100)
  })))
]

/** The payload of a frame, after checking its envelope carries `type`. */
function payloadOf(frame: Uint8Array, type: MessageType): Uint8Array {
  const env = decodeEnvelope(frame)
  if (!env.ok) throw env.error
  expect(env.value.type).toBe(type)
  return env.value.payload
}

/** `v` with every byte array turned into a plain array, so values compare by content. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? [...x] : x)))

describe('every coordinator message round-trips: encode, then decode the payload after the envelope', () => {
  it('has a case for every encoder (add one when you add a message)', () => {
    const encoders = Object.keys(messages).filter((k) => k.startsWith('encode')).sort()
    expect(encoders).toEqual(cases.map((c) => `encode${c.name}`).sort())
  })

  it.each(cases)('$name', (c) => {
    for (const sample of c.samples) {
      const payload = payloadOf(c.encode(sample as never), c.type)
      const decoded = c.decode(payload)
      if (!decoded.ok) throw decoded.error
      expect(plain(decoded.value)).toEqual(plain(sample))
    }
  })
})

describe('every coordinator message refuses a damaged payload with a code', () => {
  it.each(cases)('$name: every strict prefix is truncated, a trailing byte is malformed', (c) => {
    for (const sample of c.samples.slice(0, 2)) {
      const payload = payloadOf(c.encode(sample as never), c.type)
      for (let n = 0; n < payload.length; n++) {
        const cut = c.decode(payload.slice(0, n))
        expect(cut.ok ? 'ok' : cut.error.code, `${c.name} cut to ${n} of ${payload.length} bytes`).toBe(FrameErrorCode.Truncated)
      }
      const longer = c.decode(Uint8Array.from([...payload, 0]))
      expect(longer.ok ? 'ok' : longer.error.code).toBe(FrameErrorCode.Malformed)
    }
  })

  const term = (write: (e: encoding.Encoder) => void): Uint8Array => {
    const e = encoding.createEncoder()
    write(e)
    encoding.writeVarUint(e, 0) // viewVersion
    encoding.writeUint32(e, 0) // digest
    encoding.writeVarUint(e, 0) // count
    encoding.writeVarUint(e, 0) // committed
    return encoding.toUint8Array(e)
  }

  it('malformed: an empty leader id, or one longer than 128 characters', () => {
    for (const leader of ['', 'p'.repeat(129)]) {
      const payload = term((e) => {
        encoding.writeVarUint(e, 1)
        encoding.writeVarString(e, leader)
        encoding.writeVarUint(e, 0)
      })
      const result = messages.decodeHeartbeat(payload)
      expect(result.ok ? 'ok' : result.error.code).toBe(FrameErrorCode.Malformed)
    }
  })

  it('malformed: an epoch beyond Number.MAX_SAFE_INTEGER', () => {
    const payload = term((e) => {
      encoding.writeUint8Array(e, Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10)) // 2^60
      encoding.writeVarString(e, 's00')
      encoding.writeVarUint(e, 0)
    })
    const result = messages.decodeHeartbeat(payload)
    expect(result.ok ? 'ok' : result.error.code).toBe(FrameErrorCode.Malformed)
  })

  it('malformed: an epoch above MAX_EPOCH (a forged epoch nobody could top)', () => {
    const payload = term((e) => {
      encoding.writeVarUint(e, MAX_EPOCH + 1)
      encoding.writeVarString(e, 's00')
      encoding.writeVarUint(e, 0)
    })
    const result = messages.decodeHeartbeat(payload)
    expect(result.ok ? 'ok' : result.error.code).toBe(FrameErrorCode.Malformed)
  })

  it('malformed: a view that claims more peers than it has bytes', () => {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, 1_000_000)
    const result = messages.decodeView(encoding.toUint8Array(e))
    expect(result.ok ? 'ok' : result.error.code).toBe(FrameErrorCode.Malformed)
  })
})
