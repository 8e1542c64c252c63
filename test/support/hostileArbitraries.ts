/**
 * fast-check arbitraries of hostile input: valid coordinator messages and secure frames, and the
 * ways to break them (truncation, oversize, byte-level mutation, wrong version, unknown type,
 * trailing bytes, random bytes).
 */
import fc from 'fast-check'
import type { Epoch, PeerId } from '@sship/core'
import { MAX_EPOCH, MessageType, PROTOCOL_VERSION, messages, type DecodeResult } from '@sship/core/internals'
import {
  DATA_HEADER_BYTES, ECDH_BYTES, EPHEMERAL_KEY_BYTES, MAX_COUNTER, NONCE_BYTES, PROOF_BYTES, SECURE_VERSION, SecureFrameType, TAG_BYTES, encodeData, encodeDataHeader, encodeIdentity,
  encodeHello, encodeProof
} from '../../packages/core/src/security/secureFrames.js'

type Decoder = (payload: Uint8Array) => DecodeResult<unknown>
type Encoder = (value: never) => Uint8Array

/** Each coordinator message type with its decoder and encoder (by `messages`' naming convention). */
export const coordinatorCodecs: ReadonlyArray<{ name: string; type: MessageType; decode: Decoder; encode: Encoder }> = (() => {
  const all = messages as unknown as Record<string, unknown>
  const names = Object.keys(all).filter((k) => k.startsWith('decode') && typeof all[k] === 'function').map((k) => k.slice('decode'.length))
  return names.map((name) => {
    const type = (MessageType as Record<string, MessageType | undefined>)[name]
    const encode = all[`encode${name}`]
    if (type === undefined || typeof encode !== 'function') throw new Error(`messages.decode${name} has no MessageType.${name} or encode${name}`)
    return { name, type, decode: all[`decode${name}`] as Decoder, encode: encode as Encoder }
  })
})()

/** Numbers at the edges of what varuint fields hold, and ordinary ones. */
const edgeNat = (max: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(...[0, 1, 127, 128, 255, 256, 0x3fff, 0x4000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32].filter((n) => n <= max), max),
    fc.integer({ min: 0, max: Math.min(1000, max) }),
    fc.integer({ min: 0, max })
  )
const epochArb = edgeNat(MAX_EPOCH).map((n) => n as Epoch)
const natArb = edgeNat(Number.MAX_SAFE_INTEGER)
const uint32Arb = fc.oneof(fc.constantFrom(0, 1, 2 ** 31, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
/** Peer ids: short ascii, any unicode (multi-byte UTF-8), or at the 128-character limit. */
export const peerIdArb: fc.Arbitrary<PeerId> = fc.oneof(
  fc.constantFrom('victim', 'normal', 'rogue', 'x'.repeat(128)),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 })
).map((s) => s as PeerId)
const bytesArb = fc.uint8Array({ maxLength: 48 })
const termArb = fc.record({ epoch: epochArb, leader: peerIdArb, nonce: natArb })

/** A valid value of message `name`. */
function valueArb(name: string): fc.Arbitrary<Record<string, unknown>> {
  switch (name) {
    case 'Heartbeat': return fc.record({ term: termArb, viewVersion: natArb, digest: uint32Arb, count: natArb, committed: natArb }).map(({ term, ...r }) => ({ ...term, ...r }))
    case 'HeartbeatAck': return fc.record({ term: termArb, viewVersion: natArb, digest: uint32Arb, count: natArb }).map(({ term, ...r }) => ({ ...term, ...r }))
    case 'View': return fc.record({ viewVersion: natArb, alive: fc.array(peerIdArb, { maxLength: 5 }) })
    case 'CatchUpRequest': return fc.record({ nonce: natArb, stateVector: bytesArb, silentMs: fc.integer({ min: 0, max: messages.MAX_SILENT_MS }) })
    case 'CatchUpReply': return fc.record({ nonce: natArb, update: bytesArb, heard: fc.option(termArb, { nil: null }) })
    case 'HandoffRequest':
    case 'VoteRequest': return fc.record({ term: termArb, stateVector: bytesArb }).map(({ term, ...r }) => ({ ...term, ...r }))
    case 'Handoff': return fc.record({ term: termArb, count: natArb, update: bytesArb }).map(({ term, ...r }) => ({ ...term, ...r }))
    case 'VoteReply': return fc.record({ term: termArb, granted: fc.boolean(), update: bytesArb }).map(({ term, ...r }) => ({ ...term, ...r }))
    default: throw new Error(`no value arbitrary for message ${name}: add one`)
  }
}

/** A valid coordinator message: its codec's name, the value and its encoded frame. */
export interface ValidMessage {
  readonly name: string
  readonly value: Record<string, unknown>
  readonly frame: Uint8Array
}

export const validMessageArb: fc.Arbitrary<ValidMessage> = fc.oneof(
  ...coordinatorCodecs.map((c) => valueArb(c.name).map((value): ValidMessage => ({ name: c.name, value, frame: c.encode(value as never) })))
)

/** One byte-level mutation; positions are taken modulo the length when applied. */
export type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly byte: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly count: number }
  | { readonly op: 'duplicate'; readonly at: number; readonly count: number }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.oneof(fc.constantFrom(0, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) })
)

/** 1-4 mutations. */
export const mutationsArb: fc.Arbitrary<readonly Mutation[]> = fc.array(mutationArb, { minLength: 1, maxLength: 4 })

/** Applies `mutations` to `data` from byte `from` on (so a header can be kept); returns a new array. */
export function mutate(data: Uint8Array, mutations: readonly Mutation[], from = 0): Uint8Array {
  const out = [...data]
  for (const m of mutations) {
    const span = Math.max(1, out.length - from)
    const at = from + (m.at % span)
    switch (m.op) {
      case 'flip': if (at < out.length) out[at] = (out[at] ?? 0) ^ (1 << m.bit); break
      case 'set': if (at < out.length) out[at] = m.byte; break
      case 'insert': out.splice(at, 0, ...m.bytes); break
      case 'delete': out.splice(at, m.count); break
      case 'duplicate': out.splice(at, 0, ...out.slice(at, at + m.count)); break
    }
  }
  return Uint8Array.from(out)
}

/** varuint encoding of `n` (as lib0 writes it). */
export function varUint(n: number): number[] {
  const out: number[] = []
  while (n > 0x7f) {
    out.push(0x80 | (n % 0x80))
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return out
}

/**
 * A hostile frame for the envelope + coordinator decoders. `expect` says what decoding must do:
 * - `envelope:<code>`: `decodeEnvelope` must fail with that code;
 * - `payload`: the envelope decodes, and `name`'s decoder must fail on the payload;
 * - `ok`: both decode, to `value`;
 * - `any`: anything but an exception or a malformed result.
 */
export interface HostileFrame {
  readonly kind: string
  readonly name: string | undefined
  readonly data: Uint8Array
  readonly expect: 'any' | 'ok' | 'payload' | `envelope:${string}`
  readonly value?: Record<string, unknown>
}

/** The envelope limit the decoders run with; `oversized` frames exceed it. */
export const ENVELOPE_LIMIT = 512

const knownTypes = new Set<number>(Object.values(MessageType))
const maxType = Math.max(...knownTypes)

export const hostileFrameArb: fc.Arbitrary<HostileFrame> = fc.oneof(
  { arbitrary: validMessageArb.map((m): HostileFrame => ({ kind: 'valid', name: m.name, data: m.frame, expect: 'ok', value: m.value })), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map((data): HostileFrame => ({ kind: 'random', name: undefined, data, expect: 'any' })), weight: 3 },
  {
    // Random payload behind a valid header of each known type.
    arbitrary: fc.tuple(fc.constantFrom(...knownTypes), fc.uint8Array({ maxLength: 48 })).map(([type, payload]): HostileFrame => ({
      kind: 'randomPayload', name: coordinatorCodecs.find((c) => c.type === type)?.name, data: Uint8Array.from([PROTOCOL_VERSION, type, ...payload]), expect: 'any'
    })),
    weight: 2
  },
  {
    arbitrary: validMessageArb.chain((m) => fc.integer({ min: 0, max: m.frame.length - 1 }).map((cut): HostileFrame => ({
      kind: 'truncated', name: m.name, data: m.frame.slice(0, cut), expect: cut < 2 ? 'envelope:truncated' : 'payload'
    }))),
    weight: 3
  },
  {
    arbitrary: fc.tuple(validMessageArb, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([m, extra]): HostileFrame => ({
      kind: 'trailing', name: m.name, data: Uint8Array.from([...m.frame, ...extra]), expect: 'payload'
    })),
    weight: 1
  },
  {
    arbitrary: fc.tuple(validMessageArb, fc.integer({ min: 1, max: 256 })).map(([m, over]): HostileFrame => {
      const data = new Uint8Array(Math.max(m.frame.length, ENVELOPE_LIMIT) + over)
      data.set(m.frame)
      return { kind: 'oversized', name: m.name, data, expect: 'envelope:oversized' }
    }),
    weight: 1
  },
  {
    arbitrary: fc.tuple(validMessageArb, mutationsArb).map(([m, ms]): HostileFrame => ({ kind: 'mutated', name: m.name, data: mutate(m.frame, ms, 2), expect: 'any' })),
    weight: 6
  },
  {
    // Mutations anywhere, header included.
    arbitrary: fc.tuple(validMessageArb, mutationsArb).map(([m, ms]): HostileFrame => ({ kind: 'mutatedHeader', name: undefined, data: mutate(m.frame, ms, 0), expect: 'any' })),
    weight: 2
  },
  {
    arbitrary: fc.tuple(validMessageArb, fc.oneof(fc.constantFrom(0, 2, 3, 0x7f, 0x80, 0xff, 2 ** 32), fc.integer({ min: 2, max: 2 ** 40 }))).map(
      ([m, version]): HostileFrame => ({ kind: 'wrongVersion', name: m.name, data: Uint8Array.from([...varUint(version), ...m.frame.subarray(1)]), expect: 'envelope:bad-version' })
    ),
    weight: 1
  },
  {
    arbitrary: fc.tuple(fc.oneof(fc.integer({ min: maxType + 1, max: 127 }), fc.integer({ min: 128, max: 2 ** 32 })), fc.uint8Array({ maxLength: 16 })).map(
      ([type, payload]): HostileFrame => ({ kind: 'unknownType', name: undefined, data: Uint8Array.from([PROTOCOL_VERSION, ...varUint(type), ...payload]), expect: 'envelope:unknown-type' })
    ),
    weight: 1
  },
  {
    // A header cut inside a multi-byte varint.
    arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((b): HostileFrame => ({ kind: 'headerCut', name: undefined, data: Uint8Array.from([PROTOCOL_VERSION, b]), expect: 'envelope:truncated' })),
    weight: 1
  }
)

/** Places `data` inside a larger buffer (a view with a non-zero offset and bytes after its end), or not. */
export const viewArb: fc.Arbitrary<(data: Uint8Array) => Uint8Array> = fc.oneof(
  fc.constant((d: Uint8Array) => d),
  fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 255 })).map(([pad, fill]) => (d: Uint8Array) => {
    const backing = new Uint8Array(d.length + 2 * pad).fill(fill)
    backing.set(d, pad)
    return backing.subarray(pad, pad + d.length)
  })
)

// ---------- secure frames ----------

/** A valid secure frame: its kind and bytes. */
export interface SecureCase {
  readonly kind: string
  readonly data: Uint8Array
  /** True if `decodeSecureFrame` must call it malformed. */
  readonly mustReject: boolean
}

const nonceArb = fc.oneof(fc.uint8Array({ minLength: NONCE_BYTES, maxLength: NONCE_BYTES }), fc.constant(new Uint8Array(NONCE_BYTES)))
const counterArb = fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, MAX_COUNTER), fc.integer({ min: 0, max: MAX_COUNTER }))

export const validSecureArb: fc.Arbitrary<{ kind: string; data: Uint8Array }> = fc.oneof(
  fc.tuple(nonceArb, fc.option(nonceArb, { nil: undefined }), fc.uint8Array({ minLength: EPHEMERAL_KEY_BYTES, maxLength: EPHEMERAL_KEY_BYTES }))
    .map(([nonce, echo, eph]) => ({ kind: 'Hello', data: encodeHello(nonce, echo, eph) })),
  fc.uint8Array({ minLength: PROOF_BYTES, maxLength: PROOF_BYTES }).map((mac) => ({ kind: 'Proof', data: encodeProof(mac) })),
  fc.tuple(counterArb, fc.uint8Array({ minLength: TAG_BYTES, maxLength: TAG_BYTES + 48 })).map(([counter, ct]) => ({
    kind: 'Data', data: encodeData(encodeDataHeader(counter), ct)
  })),
  fc.tuple(
    fc.uint8Array({ minLength: ECDH_BYTES, maxLength: ECDH_BYTES }), fc.uint8Array({ minLength: 1, maxLength: 96 }), fc.uint8Array({ minLength: 1, maxLength: 72 })
  ).map(([ecdh, key, sig]) => ({ kind: 'Identity', data: encodeIdentity(ecdh, key, sig) }))
)

export const hostileSecureArb: fc.Arbitrary<SecureCase> = fc.oneof(
  { arbitrary: validSecureArb.map((v) => ({ kind: `valid/${v.kind}`, data: v.data, mustReject: false })), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 96 }).map((data) => ({ kind: 'random', data, mustReject: false })), weight: 2 },
  {
    // Random bytes behind a valid header of each type (and of no type).
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 80 })).map(([type, rest]) => ({
      kind: 'randomBody', data: Uint8Array.from([SECURE_VERSION, type, ...rest]), mustReject: type < 1 || type > 4
    })),
    weight: 2
  },
  {
    arbitrary: validSecureArb.chain((v) => fc.integer({ min: 0, max: v.data.length - 1 }).map((cut) => ({
      // Hello and Proof have fixed lengths; a Data frame cut into its header or tag is too short.
      kind: `truncated/${v.kind}`, data: v.data.slice(0, cut), mustReject: v.kind === 'Identity' ? cut < 4 + ECDH_BYTES : v.kind !== 'Data' || cut < DATA_HEADER_BYTES + TAG_BYTES
    }))),
    weight: 3
  },
  {
    arbitrary: fc.tuple(validSecureArb, fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([v, extra]) => ({
      kind: `oversized/${v.kind}`, data: Uint8Array.from([...v.data, ...extra]), mustReject: v.kind !== 'Data' && v.kind !== 'Identity'
    })),
    weight: 2
  },
  {
    arbitrary: fc.tuple(validSecureArb, mutationsArb, fc.boolean()).map(([v, ms, header]) => ({
      kind: `mutated${header ? 'Header' : ''}/${v.kind}`, data: mutate(v.data, ms, header ? 0 : 2), mustReject: false
    })),
    weight: 5
  },
  {
    arbitrary: fc.tuple(validSecureArb, fc.integer({ min: 0, max: 255 }).filter((b) => b !== SECURE_VERSION)).map(([v, version]) => ({
      kind: 'wrongVersion', data: Uint8Array.from([version, ...v.data.subarray(1)]), mustReject: true
    })),
    weight: 1
  },
  {
    arbitrary: fc.tuple(validSecureArb, fc.integer({ min: 0, max: 255 }).filter((t) => t < 1 || t > 4)).map(([v, type]) => ({
      kind: 'unknownType', data: Uint8Array.from([SECURE_VERSION, type, ...v.data.subarray(2)]), mustReject: true
    })),
    weight: 1
  },
  {
    // A counter above 2^53 - 1 in an otherwise well-formed Data frame.
    arbitrary: fc.tuple(fc.integer({ min: 0x20_0000, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.uint8Array({ minLength: TAG_BYTES, maxLength: 32 })).map(
      ([hi, lo, ct]) => {
        const header = new Uint8Array(DATA_HEADER_BYTES)
        header.set([SECURE_VERSION, SecureFrameType.Data])
        const view = new DataView(header.buffer)
        view.setUint32(2, hi)
        view.setUint32(6, lo)
        return { kind: 'counterOverflow', data: Uint8Array.from([...header, ...ct]), mustReject: true }
      }
    ),
    weight: 1
  }
)
