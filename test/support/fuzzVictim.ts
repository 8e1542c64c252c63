/**
 * The fuzz test's world: a victim server, a normal client and a rogue transport that only sends,
 * on one calm in-memory network, and the loop that throws generated frames at the victim.
 */
import * as Y from 'yjs'
import {
  asPeerId, connect, initServer, type Connection, type PeerId, type Random, type Server, type SshipError
} from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork, tokenCounter } from '@sship/core/testing'
import { generators, type FuzzFrame } from './fuzzFrames.js'

export const MAX_FRAME_BYTES = 8192
export const [VICTIM, NORMAL, ROGUE] = [asPeerId('victim'), asPeerId('normal'), asPeerId('rogue')]

/** The three peers and what the victim reported. */
export interface FuzzWorld {
  readonly network: MemoryNetwork
  readonly victim: Server
  readonly normal: Connection
  /** Sends a frame from the rogue to the victim. */
  send(frame: Uint8Array): void
  /** Every error the victim reported, with the peer it blamed. */
  readonly reported: Array<{ error: SshipError; from: PeerId | undefined }>
}

/** Starts the world and lets the victim become the coordinator. */
export function fuzzWorld(seed: number): FuzzWorld {
  // Zero latency: a rogue frame is handled within `flush()` with no clock time passing, so no other
  // timer runs meanwhile and a doc change in that window is the frame's doing.
  const network = new MemoryNetwork({ seed, latencyMs: { min: 0, max: 0 } })
  const clock = network.clock
  const victim = initServer('fuzz', {
    transport: network.transport(VICTIM), clock, random: seededRandom(seed + 1), awareness: true, maxFrameBytes: MAX_FRAME_BYTES
  })
  victim.onReceive(tokenCounter(victim))
  const normal = connect('fuzz', { transport: network.transport(NORMAL), clock, random: seededRandom(seed + 2) })
  const rogue = network.transport(ROGUE)
  rogue.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
  const reported: FuzzWorld['reported'] = []
  victim.peer.onError((error, from) => reported.push({ error, from }))
  clock.advance(1000)
  return { network, victim, normal, send: (f) => rogue.send(VICTIM, f), reported }
}

const weights: Array<[string, number]> = [
  ['random', 15], ['wrongVersion', 6], ['unknownType', 6], ['truncated', 15], ['oversized', 1],
  ['mutated', 35], ['badUpdate', 12], ['badSyncKind', 3], ['decodable', 7]
]
const totalWeight = weights.reduce((a, [, w]) => a + w, 0)
function choose(r: Random): string {
  let x = r.next() * totalWeight
  for (const [name, w] of weights) if ((x -= w) < 0) return name
  return 'random'
}

/** What one fuzz run found. Problems are grouped by kind so one bug does not hide another. */
export interface FuzzOutcome {
  cases: number
  mustReject: number
  rejected: number
  byGenerator: Record<string, number>
  problems: Record<'timer-threw' | 'handler-threw' | 'internal-error' | 'accepted-invalid' | 'rejected-but-changed-doc', string[]>
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])
const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex')

/** Throws `cases` seeded frames at the victim one at a time, with 0-20 ms of normal life between them. */
export function fuzz(seed: number, w: FuzzWorld, cases: number): FuzzOutcome {
  const r = seededRandom(seed)
  const gens = generators(ROGUE, MAX_FRAME_BYTES, r)
  const out: FuzzOutcome = {
    cases: 0, mustReject: 0, rejected: 0, byGenerator: {},
    problems: { 'timer-threw': [], 'handler-threw': [], 'internal-error': [], 'accepted-invalid': [], 'rejected-but-changed-doc': [] }
  }
  const note = (kind: keyof FuzzOutcome['problems'], text: string): void => {
    if (out.problems[kind].length < 3) out.problems[kind].push(text)
  }
  const doc = w.victim.peer.doc
  for (let i = 0; i < cases; i++) {
    try {
      w.network.clock.advance(Math.floor(r.next() * 20))
    } catch (e) {
      note('timer-threw', `after case ${i - 1}: ${String(e)}`)
    }
    const name = choose(r)
    const f: FuzzFrame | undefined = gens[name]?.(r)
    if (f === undefined) throw new Error(`no generator ${name}`)
    const before = Y.encodeStateAsUpdate(doc)
    const reportedBefore = w.reported.length
    w.send(f.data)
    try {
      w.network.flush()
    } catch (e) {
      note('handler-threw', `case ${i} (${f.kind}): ${String(e)}; frame ${hex(f.data)}`)
    }
    out.cases++
    out.byGenerator[name] = (out.byGenerator[name] ?? 0) + 1
    const rejected = w.reported.length > reportedBefore
    if (f.mustReject) out.mustReject++
    if (rejected) out.rejected++
    // `internal` means a handler threw and the peer's guard caught it: a bug, not a verdict on the frame.
    for (const { error } of w.reported.slice(reportedBefore)) {
      if (error.code === 'internal') note('internal-error', `case ${i} (${f.kind}): ${error.message}; frame ${hex(f.data)}`)
    }
    if (f.mustReject && !rejected) note('accepted-invalid', `case ${i} (${f.kind}): frame ${hex(f.data)}`)
    if (rejected && !same(before, Y.encodeStateAsUpdate(doc))) {
      const e = w.reported[w.reported.length - 1]?.error
      note('rejected-but-changed-doc', `case ${i} (${f.kind}) was rejected (${e?.code}: ${e?.message}; ${String(e?.cause)}) yet changed the doc; frame ${hex(f.data)}`)
    }
  }
  return out
}
