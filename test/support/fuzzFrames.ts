/**
 * Seeded frame generators for the fuzz test: a corpus of valid frames of every message type and
 * the ways to break them (random bytes, truncation, mutation, oversize, wrong version, unknown
 * type, malformed Yjs updates) plus decodable coordinator messages with random field values.
 */
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import type { Epoch, PeerId, Random } from '@sship/core'
import { MessageType, PROTOCOL_VERSION, encodeEnvelope, messages } from '@sship/core/internals'

/** One generated frame; `mustReject` marks frames that are invalid by construction. */
export interface FuzzFrame {
  readonly kind: string
  readonly data: Uint8Array
  readonly mustReject: boolean
}

const int = (r: Random, n: number): number => Math.floor(r.next() * n)
const pick = <T>(r: Random, xs: readonly T[]): T => xs[int(r, xs.length)] as T
const bytes = (r: Random, n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(r, 256))

/** Numbers at the edges of what the fields hold, and some ordinary ones. */
const edgeNumbers = [0, 1, 2, 127, 128, 255, 0xffff, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 2, Number.MAX_SAFE_INTEGER]
const anyNumber = (r: Random): number => (r.next() < 0.5 ? pick(r, edgeNumbers) : int(r, 1000))

function frame(type: MessageType, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder()
  write(e)
  return encodeEnvelope(type, encoding.toUint8Array(e))
}

/** A Yjs update with some content, from a scratch doc with a seeded clientID. */
export function scratchUpdate(r: Random): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = 1 + int(r, 2 ** 31)
  doc.getMap('data').set(`rogue${int(r, 100)}`, int(r, 1000))
  doc.getText('conv.text').insert(0, 'rogue')
  doc.getArray('conv.list').insert(0, [1, 'two', { three: 3 }])
  doc.getArray('conv.list').delete(1, 1)
  return Y.encodeStateAsUpdate(doc)
}

/** An awareness update (encoded by hand: y-protocols' Awareness class starts a real interval timer). */
function awarenessPayload(r: Random): Uint8Array {
  const e = encoding.createEncoder()
  const n = 1 + int(r, 2)
  encoding.writeVarUint(e, n)
  for (let i = 0; i < n; i++) {
    encoding.writeVarUint(e, 1 + int(r, 2 ** 31))
    encoding.writeVarUint(e, int(r, 10))
    encoding.writeVarString(e, JSON.stringify(r.next() < 0.2 ? null : { user: { name: `r${int(r, 9)}` } }))
  }
  return encoding.toUint8Array(e)
}

/**
 * A well-formed frame of every message type, as the rogue peer `self` would send it, with field
 * values drawn from `r` (epochs, counts and nonces up to `Number.MAX_SAFE_INTEGER`).
 */
export function validFrames(r: Random, self: PeerId): Record<string, Uint8Array> {
  const update = scratchUpdate(r)
  const sv = Y.encodeStateVectorFromUpdate(update)
  const leader = r.next() < 0.7 ? self : pick(r, ['victim', 'normal', 'x'.repeat(128)]) as PeerId
  // A rogue writes any number, forged epochs included: the cast is the forgery.
  const term = { epoch: anyNumber(r) as Epoch, leader, nonce: anyNumber(r) }
  const frames: Record<string, Uint8Array> = {
    syncStep1: frame(MessageType.Sync, (e) => {
      encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep1)
      encoding.writeVarUint8Array(e, sv)
    }),
    syncStep2: frame(MessageType.Sync, (e) => {
      encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2)
      encoding.writeVarUint8Array(e, update)
    }),
    syncUpdate: frame(MessageType.Sync, (e) => syncProtocol.writeUpdate(e, update)),
    awareness: encodeEnvelope(MessageType.Awareness, awarenessPayload(r)),
    heartbeat: messages.encodeHeartbeat({ ...term, viewVersion: anyNumber(r), digest: int(r, 2 ** 32), count: anyNumber(r), committed: anyNumber(r) }),
    heartbeatAck: messages.encodeHeartbeatAck({ ...term, viewVersion: anyNumber(r), digest: int(r, 2 ** 32), count: anyNumber(r) }),
    voteRequest: messages.encodeVoteRequest({ ...term, stateVector: sv }),
    voteReply: messages.encodeVoteReply({ ...term, granted: r.next() < 0.5, update }),
    view: messages.encodeView({ viewVersion: anyNumber(r), alive: [self, leader].slice(0, int(r, 3)) }),
    catchUpRequest: messages.encodeCatchUpRequest({ nonce: anyNumber(r), stateVector: sv, silentMs: int(r, messages.MAX_SILENT_MS + 1) }),
    catchUpReply: messages.encodeCatchUpReply({ nonce: anyNumber(r), update, heard: r.next() < 0.5 ? null : term }),
    handoffRequest: messages.encodeHandoffRequest({ ...term, stateVector: sv }),
    handoff: messages.encodeHandoff({ ...term, count: anyNumber(r), update }),
    digest: frame(MessageType.Digest, (e) => {
      encoding.writeUint32(e, int(r, 2 ** 32))
      encoding.writeUint8(e, int(r, 2))
    })
  }
  // Types added after this corpus was written get random payloads until they get an entry above.
  const covered = new Set([MessageType.Sync, MessageType.Awareness, ...Object.values(frames).map((f) => f[1])])
  for (const type of Object.values(MessageType)) {
    if (!covered.has(type)) frames[`type${type}`] = encodeEnvelope(type, bytes(r, int(r, 40)))
  }
  return frames
}

/** `data` with 1-4 random byte-level mutations after the two header bytes. */
function mutate(r: Random, data: Uint8Array): Uint8Array {
  const out = [...data]
  for (let i = 0, n = 1 + int(r, 4); i < n; i++) {
    const at = 2 + int(r, Math.max(1, out.length - 2))
    switch (int(r, 6)) {
      case 0: out[at] = (out[at] ?? 0) ^ (1 << int(r, 8)); break
      case 1: out[at] = pick(r, [0, 0x7f, 0x80, 0xff]); break
      case 2: out.splice(at, 0, int(r, 256)); break
      case 3: out.splice(at, 1); break
      case 4: out.splice(at, 0, ...out.slice(at, at + 1 + int(r, 8))); break
      default: out[at] = int(r, 256)
    }
  }
  return Uint8Array.from(out)
}

/** A malformed Yjs update: random bytes, or a real one mutated or cut short. */
function badUpdate(r: Random, update: Uint8Array): Uint8Array {
  switch (int(r, 3)) {
    case 0: return bytes(r, 1 + int(r, 40))
    case 1: return mutate(r, update)
    default: return update.subarray(0, int(r, update.length)).slice()
  }
}

/** The message types this build knows (read at run time: the protocol grows). */
const knownTypes = new Set<number>(Object.values(MessageType))
const maxKnownType = Math.max(...knownTypes)

/** True if a frame's header is invalid by construction: too short, another version, or a type we do not know. */
const badHeader = (d: Uint8Array): boolean =>
  d.length < 2 || d[0] !== PROTOCOL_VERSION || (d[1] ?? 0) >= 0x80 || !knownTypes.has(d[1] ?? 0)

/**
 * The fuzz generators, by name; each draws one frame from `r`. `maxFrameBytes` is the victim's
 * limit. Valid frames come from a pool of 32 corpora drawn from `r` up front (building a Y.Doc per
 * frame would dominate the run time).
 */
export function generators(self: PeerId, maxFrameBytes: number, r: Random): Record<string, (r: Random) => FuzzFrame> {
  const pool = Array.from({ length: 32 }, () => Object.entries(validFrames(r, self)))
  const corpus = (r: Random): [string, Uint8Array] => pick(r, pick(r, pool))
  const updates = Array.from({ length: 32 }, () => scratchUpdate(r))
  return {
    random(r) {
      const data = bytes(r, int(r, 48))
      return { kind: 'random', data, mustReject: badHeader(data) }
    },
    wrongVersion(r) {
      const [name, valid] = corpus(r)
      const version = pick(r, [0, 2, 3, 127, 0xff])
      const data = Uint8Array.from([version, ...(version === 0xff ? [0x01] : []), ...valid.subarray(1)])
      return { kind: `wrongVersion/${name}`, data, mustReject: true }
    },
    unknownType(r) {
      const type = maxKnownType + 1 + int(r, 300)
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, PROTOCOL_VERSION)
      encoding.writeVarUint(e, type)
      encoding.writeUint8Array(e, bytes(r, int(r, 20)))
      return { kind: 'unknownType', data: encoding.toUint8Array(e), mustReject: true }
    },
    truncated(r) {
      const [name, valid] = corpus(r)
      return { kind: `truncated/${name}`, data: valid.slice(0, int(r, valid.length)), mustReject: true }
    },
    oversized(r) {
      const [name, valid] = corpus(r)
      const data = new Uint8Array(maxFrameBytes + 1 + int(r, 100))
      data.set(valid)
      return { kind: `oversized/${name}`, data, mustReject: true }
    },
    mutated(r) {
      const [name, valid] = corpus(r)
      return { kind: `mutated/${name}`, data: mutate(r, valid), mustReject: false }
    },
    badUpdate(r) {
      const update = pick(r, updates)
      const kind = pick(r, [syncProtocol.messageYjsSyncStep2, syncProtocol.messageYjsUpdate])
      const data = frame(MessageType.Sync, (e) => {
        encoding.writeVarUint(e, kind)
        encoding.writeVarUint8Array(e, badUpdate(r, update))
      })
      return { kind: 'badUpdate', data, mustReject: false }
    },
    badSyncKind(r) {
      const data = frame(MessageType.Sync, (e) => {
        encoding.writeVarUint(e, 3 + int(r, 1000))
        encoding.writeVarUint8Array(e, bytes(r, int(r, 10)))
      })
      return { kind: 'badSyncKind', data, mustReject: true }
    },
    decodable(r) {
      const [name, valid] = corpus(r)
      return { kind: `decodable/${name}`, data: valid, mustReject: false }
    }
  }
}
