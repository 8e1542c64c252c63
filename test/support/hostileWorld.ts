/**
 * Arbitraries of hostile input for a live victim (see fuzzVictim.ts): malformed Yjs updates, and
 * forged coordinator claims (heartbeats from a peer that does not lead, terms and decisions
 * written into the victim's document by a rogue replica).
 */
import fc from 'fast-check'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import type { Epoch, PeerId } from '@sship/core'
import { MAX_EPOCH, MessageType, encodeEnvelope, messages } from '@sship/core/internals'
import { mutate, mutationsArb, peerIdArb } from './hostileArbitraries.js'

/** A sync frame of `kind` (step 2 or update) carrying `update`. */
export function syncFrame(kind: number, update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, kind)
  encoding.writeVarUint8Array(e, update)
  return encodeEnvelope(MessageType.Sync, encoding.toUint8Array(e))
}

/** A Yjs update from a scratch doc: a few map sets, text inserts and array edits by one client. */
const scratchUpdateArb: fc.Arbitrary<Uint8Array> = fc.record({
  clientID: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  sets: fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean())), { minLength: 1, maxLength: 3 }),
  text: fc.string({ maxLength: 8 }),
  list: fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 4 }),
  deleteFirst: fc.boolean()
}).map((s) => {
  const doc = new Y.Doc()
  doc.clientID = s.clientID
  for (const [k, v] of s.sets) doc.getMap('data').set(k, v)
  if (s.text !== '') doc.getText('conv.text').insert(0, s.text)
  const list = doc.getArray('conv.list')
  list.insert(0, [...s.list, { nested: s.list.length }])
  if (s.deleteFirst) list.delete(0, 1)
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
})

/** A malformed (or valid) Yjs update in a sync frame. */
export interface BadUpdate {
  readonly kind: string
  readonly frame: Uint8Array
}

export const badUpdateArb: fc.Arbitrary<BadUpdate> = fc.tuple(
  fc.constantFrom(syncProtocol.messageYjsSyncStep2, syncProtocol.messageYjsUpdate),
  fc.oneof(
    { arbitrary: fc.tuple(scratchUpdateArb, mutationsArb).map(([u, ms]) => ({ kind: 'mutated', update: mutate(u, ms) })), weight: 6 },
    { arbitrary: scratchUpdateArb.chain((u) => fc.integer({ min: 0, max: u.length - 1 }).map((cut) => ({ kind: 'truncated', update: u.slice(0, cut) }))), weight: 2 },
    { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 48 }).map((update) => ({ kind: 'random', update })), weight: 1 },
    { arbitrary: scratchUpdateArb.map((update) => ({ kind: 'valid', update })), weight: 1 }
  )
).map(([sync, u]) => ({ kind: `${sync === syncProtocol.messageYjsSyncStep2 ? 'step2' : 'update'}/${u.kind}`, frame: syncFrame(sync, u.update) }))

// ---------- forged claims ----------

/** One hostile act of the rogue. */
export type Forgery =
  /** A heartbeat sent by the rogue, naming `leader` (never the rogue's own role) at `epoch`. */
  | { readonly act: 'heartbeat'; readonly kind: string; readonly epoch: number; readonly leader: PeerId; readonly nonce: number; readonly count: number }
  /** A term record written into the document under `key`; `malformed` if the ledger must ignore it. */
  | { readonly act: 'term'; readonly kind: string; readonly key: string; readonly value: unknown; readonly malformed: boolean }
  /** A decision record written into the document; `malformed` if the ledger must ignore it. */
  | { readonly act: 'decision'; readonly kind: string; readonly key: string; readonly value: unknown; readonly malformed: boolean }

const base36 = (n: number): string => n.toString(36)
/** Peers that are not eligible in the fuzz world (only the victim is listed). */
const nonEligibleArb: fc.Arbitrary<PeerId> = fc.oneof(fc.constantFrom('rogue', 'normal', 'ghost').map((s) => s as PeerId), peerIdArb.filter((p) => p !== 'victim' && !p.includes(':')))
/**
 * Epochs up to MAX_EPOCH. A forged MAX_EPOCH once left no epoch to claim; since terms and
 * heartbeats led by peers outside the successorship list are ignored, a non-member cannot do that.
 */
const validEpochArb = fc.oneof(fc.constantFrom(0, 2, 3, 1000, MAX_EPOCH - 1, MAX_EPOCH), fc.integer({ min: 2, max: MAX_EPOCH }))
const overEpochArb = fc.oneof(fc.constantFrom(MAX_EPOCH + 1, 2 ** 53 - 1), fc.integer({ min: MAX_EPOCH + 1, max: Number.MAX_SAFE_INTEGER }))
const nonceArb = fc.integer({ min: 0, max: 36 ** 7 - 1 })

const heartbeatArb: fc.Arbitrary<Forgery> = fc.oneof(
  fc.record({ epoch: fc.oneof(validEpochArb, fc.constant(1)), leader: nonEligibleArb, nonce: nonceArb, count: fc.nat(50) }).map((h) => ({ act: 'heartbeat' as const, kind: 'heartbeat/non-leader', ...h })),
  // The rogue impersonates the real leader, at a stale, the current or a later epoch.
  fc.record({ epoch: fc.integer({ min: 0, max: 5 }), nonce: nonceArb, count: fc.nat(50) }).map((h) => ({ act: 'heartbeat' as const, kind: 'heartbeat/impersonate', leader: 'victim' as PeerId, ...h })),
  fc.record({ epoch: overEpochArb, leader: fc.oneof(nonEligibleArb, fc.constant('victim' as PeerId)), nonce: nonceArb, count: fc.nat(50) }).map((h) => ({ act: 'heartbeat' as const, kind: 'heartbeat/over-max-epoch', ...h }))
)

const termArb: fc.Arbitrary<Forgery> = fc.record({
  epoch: validEpochArb, leader: nonEligibleArb, nonce: nonceArb, parentCount: fc.nat(5), withParent: fc.boolean(),
  variant: fc.constantFrom('well-formed', 'over-max-epoch', 'not-object', 'key-mismatch', 'no-parent-count', 'bad-cuts', 'bad-roots', 'bad-key')
}).chain((t) => fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }), fc.integer(), fc.array(fc.integer(), { maxLength: 2 })).map((junk): Forgery => {
  const epoch = t.variant === 'over-max-epoch' ? MAX_EPOCH + 1 + t.nonce : t.epoch
  const key = t.variant === 'bad-key' ? `${epoch}-${t.leader}-${base36(t.nonce)}` : `${epoch}:${t.leader}:${base36(t.nonce)}`
  const record: Record<string, unknown> = { epoch, leader: t.leader, nonce: t.nonce, parent: t.withParent ? '1:victim:0' : null, parentCount: t.parentCount }
  switch (t.variant) {
    case 'not-object': return { act: 'term', kind: `term/${t.variant}`, key, value: junk, malformed: true }
    case 'key-mismatch': record.nonce = t.nonce + 1; break
    case 'no-parent-count': delete record.parentCount; break
    case 'bad-cuts': record.cuts = { x: -1 - t.parentCount }; break
    case 'bad-roots': record.roots = [t.parentCount]; break
  }
  return { act: 'term', kind: `term/${t.variant}${t.withParent ? '+parent' : ''}`, key, value: record, malformed: t.variant !== 'well-formed' }
}))

const decisionArb: fc.Arbitrary<Forgery> = fc.record({
  term: fc.constantFrom('1:victim:0', '2:rogue:1', 'junk'), seq: fc.nat(4),
  variant: fc.constantFrom('bad-key', 'not-object', 'bad-ops', 'bad-r', 'bad-e')
}).map((d): Forgery => {
  const key = d.variant === 'bad-key' ? `${d.term}#${-1 - d.seq}` : `${d.term}#${d.seq + 1000}`
  const value = d.variant === 'not-object' ? 'junk'
    : d.variant === 'bad-ops' ? { r: null, o: [{ neither: 1 }] }
    : d.variant === 'bad-r' ? { r: 7, o: [] }
    : d.variant === 'bad-e' ? { r: null, o: [], e: 5 }
    : { r: null, o: [] }
  return { act: 'decision', kind: `decision/${d.variant}`, key, value, malformed: true }
})

/** 1-4 hostile acts; no two write the same document key. */
export const forgeriesArb: fc.Arbitrary<readonly Forgery[]> = fc.uniqueArray(fc.oneof(heartbeatArb, termArb, decisionArb), {
  minLength: 1, maxLength: 4, selector: (f) => (f.act === 'heartbeat' ? `heartbeat ${f.epoch} ${f.leader} ${f.nonce} ${f.count}` : `${f.act} ${f.key}`)
})

/** The heartbeat frame of a heartbeat forgery (epochs above MAX_EPOCH encoded as they are). */
export const forgedHeartbeat = (f: Extract<Forgery, { act: 'heartbeat' }>): Uint8Array =>
  messages.encodeHeartbeat({ epoch: f.epoch as Epoch, leader: f.leader, nonce: f.nonce, viewVersion: 0, digest: 0, count: f.count, committed: f.count })
