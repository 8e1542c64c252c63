import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { asPeerId, type PeerId } from '@sship/core'

/**
 * The wire format of {@link RelayTransport}, as pure functions (no I/O). Every frame on a link
 * starts with the mesh version and a numeric type:
 *
 * ```text
 * Direct     [v][1] payload                                   for the neighbour itself
 * Unicast    [v][2] ttl origin dest payload                   forwarded hop by hop toward dest
 * Broadcast  [v][3] ttl origin id excluded[] payload          down origin's shortest-path tree
 * Links      [v][4] origin incarnation seq neighbours[]       link-state advertisement, flooded
 * Signal     [v][5] ttl origin dest body                      a WebRTC offer/answer/candidate, unicast
 * Digest     [v][6] hash entries                              "my link-state database hashes to this", to neighbours
 * ```
 */
export const MESH_VERSION = 1

/** Numeric mesh frame types. */
export const MeshType = { Direct: 1, Unicast: 2, Broadcast: 3, Links: 4, Signal: 5, Digest: 6 } as const
/** One of {@link MeshType}'s values. */
export type MeshType = (typeof MeshType)[keyof typeof MeshType]

/** A frame for one neighbour. */
export interface DirectFrame { readonly type: typeof MeshType.Direct; readonly payload: Uint8Array }
/** A frame (or a relayed WebRTC signal) routed hop by hop to `dest`. */
export interface RoutedFrame { readonly type: typeof MeshType.Unicast | typeof MeshType.Signal; readonly ttl: number; readonly origin: PeerId; readonly dest: PeerId; readonly payload: Uint8Array }
/** A frame for every peer but `excluded`, down `origin`'s tree. */
export interface BroadcastFrame { readonly type: typeof MeshType.Broadcast; readonly ttl: number; readonly origin: PeerId; readonly id: number; readonly excluded: readonly PeerId[]; readonly payload: Uint8Array }
/** A link-state advertisement. */
export interface LinksFrame { readonly type: typeof MeshType.Links; readonly origin: PeerId; readonly incarnation: number; readonly seq: number; readonly neighbours: readonly PeerId[] }
/** A summary of a link-state database, for anti-entropy between neighbours. */
export interface DigestFrame { readonly type: typeof MeshType.Digest; readonly hash: number; readonly entries: number }
/** A decoded mesh frame. */
export type MeshFrame = DirectFrame | RoutedFrame | BroadcastFrame | LinksFrame | DigestFrame

/** Bounds a decoder enforces, so a hostile frame costs bounded memory. */
export const MESH_LIMITS = { maxIdLength: 256, maxList: 1024, maxTtl: 32 } as const

/** Encodes `frame`. */
export function encodeMeshFrame(frame: MeshFrame): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeUint8(e, MESH_VERSION)
  encoding.writeUint8(e, frame.type)
  switch (frame.type) {
    case MeshType.Direct:
      encoding.writeUint8Array(e, frame.payload)
      break
    case MeshType.Unicast:
    case MeshType.Signal:
      encoding.writeUint8(e, frame.ttl)
      encoding.writeVarString(e, frame.origin)
      encoding.writeVarString(e, frame.dest)
      encoding.writeUint8Array(e, frame.payload)
      break
    case MeshType.Broadcast:
      encoding.writeUint8(e, frame.ttl)
      encoding.writeVarString(e, frame.origin)
      encoding.writeVarUint(e, frame.id)
      encoding.writeVarUint(e, frame.excluded.length)
      for (const p of frame.excluded) encoding.writeVarString(e, p)
      encoding.writeUint8Array(e, frame.payload)
      break
    case MeshType.Links:
      encoding.writeVarString(e, frame.origin)
      encoding.writeVarUint(e, frame.incarnation)
      encoding.writeVarUint(e, frame.seq)
      encoding.writeVarUint(e, frame.neighbours.length)
      for (const p of frame.neighbours) encoding.writeVarString(e, p)
      break
    case MeshType.Digest:
      encoding.writeUint32(e, frame.hash)
      encoding.writeVarUint(e, frame.entries)
      break
  }
  return encoding.toUint8Array(e)
}

/** Why a frame was refused. */
export type MeshDecodeResult = { readonly ok: true; readonly frame: MeshFrame } | { readonly ok: false; readonly reason: string }

/** Decodes a mesh frame; never throws (a malformed frame gives `ok: false`). */
export function decodeMeshFrame(data: Uint8Array): MeshDecodeResult {
  try {
    const d = decoding.createDecoder(data)
    const version = decoding.readUint8(d)
    if (version !== MESH_VERSION) return { ok: false, reason: `mesh version ${version}` }
    const type = decoding.readUint8(d)
    const rest = (): Uint8Array => data.subarray(d.pos)
    switch (type) {
      case MeshType.Direct:
        return { ok: true, frame: { type, payload: rest() } }
      case MeshType.Unicast:
      case MeshType.Signal: {
        const ttl = readTtl(d)
        const origin = readId(d)
        const dest = readId(d)
        return { ok: true, frame: { type, ttl, origin, dest, payload: rest() } }
      }
      case MeshType.Broadcast: {
        const ttl = readTtl(d)
        const origin = readId(d)
        const id = decoding.readVarUint(d)
        const excluded = readList(d)
        return { ok: true, frame: { type, ttl, origin, id, excluded, payload: rest() } }
      }
      case MeshType.Links: {
        const origin = readId(d)
        const incarnation = decoding.readVarUint(d)
        const seq = decoding.readVarUint(d)
        const neighbours = readList(d)
        if (d.pos !== data.length) return { ok: false, reason: 'trailing bytes' }
        return { ok: true, frame: { type, origin, incarnation, seq, neighbours } }
      }
      case MeshType.Digest: {
        const hash = decoding.readUint32(d)
        const entries = decoding.readVarUint(d)
        if (d.pos !== data.length) return { ok: false, reason: 'trailing bytes' }
        return { ok: true, frame: { type, hash, entries } }
      }
      default:
        return { ok: false, reason: `unknown mesh type ${type}` }
    }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

function readTtl(d: decoding.Decoder): number {
  const ttl = decoding.readUint8(d)
  if (ttl > MESH_LIMITS.maxTtl) throw new RangeError(`ttl ${ttl}`)
  return ttl
}

function readId(d: decoding.Decoder): PeerId {
  const s = decoding.readVarString(d)
  if (s.length === 0 || s.length > MESH_LIMITS.maxIdLength) throw new RangeError('bad peer id')
  return asPeerId(s)
}

function readList(d: decoding.Decoder): PeerId[] {
  const n = decoding.readVarUint(d)
  if (n > MESH_LIMITS.maxList) throw new RangeError(`list of ${n}`)
  const out: PeerId[] = []
  for (let i = 0; i < n; i++) out.push(readId(d))
  return out
}
