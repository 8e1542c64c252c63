import * as Y from 'yjs'
import type { Json, RequestState } from '@sship/core'
import { applyPatch, EMPTY_QUEUE, parseMsg, readQueue, step, type QueueState } from './queue.js'
import { wasReported } from './reported.js'
import type { World } from './world.js'

/**
 * The judge's verdict on one run, from the final history as the public API shows it after the
 * heal (each sender's `getRequests()`, its `onConflict` reports, every replica's `getState()` and
 * snapshot), against what every sender was told when its send resolved.
 */
export interface Verdict {
  readonly problems: string[]
  /** Acknowledged requests. */
  acked: number
  /** Acknowledged requests decided again (another decision, or another reply, than the one acknowledged). */
  redecided: number
  /** Of those, reported through the public API (see reported.ts). */
  reported: number
  /** Final decisions whose reply the reference model over the final history does not give. */
  corrupted: number
}

/** Canonical JSON (sorted keys), for comparing replies and states. */
export function canon(v: unknown): string {
  if (v === undefined) return 'undefined'
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canon(o[k])}`).join(',')}}`
}

/** `"<epoch>:<leader>:<nonce>#<seq>"` → its parts; undefined if the key has another shape. */
function parseDecision(key: string): { term: string; epoch: number; seq: number } | undefined {
  const hash = key.lastIndexOf('#')
  const term = key.slice(0, hash)
  const epoch = Number(term.slice(0, term.indexOf(':')))
  const seq = Number(key.slice(hash + 1))
  return hash > 0 && Number.isInteger(epoch) && Number.isInteger(seq) ? { term, epoch, seq } : undefined
}

/** Judges `world` after the final heal and quiescence; `mode` picks the reply contract. */
export function judge(world: World, mode: 'availability' | 'quorum', maxProblems = 8): Verdict {
  const v: Verdict = { problems: [], acked: 0, redecided: 0, reported: 0, corrupted: 0 }
  const problem = (p: string): void => {
    if (v.problems.length < maxProblems) v.problems.push(p)
  }
  const history: Array<{ id: string; msg: Json; reply: Json | undefined; key: string; epoch: number; seq: number; term: string }> = []
  const ackedEnqueues = new Set<string>()
  for (const c of world.clients) {
    const finals = new Map<string, RequestState>(c.conn.getRequests().map((r) => [r.id, r]))
    for (const { id, msg } of c.sent) {
      const final = finals.get(id)
      const ack = c.acks.get(id)
      if (final === undefined || final.status === 'pending') {
        problem(`${ack === undefined ? 'request' : 'acknowledged request'} ${id} ${canon(msg)} still ${final?.status ?? 'missing'} after the heal (lost)`)
        continue
      }
      if (final.status !== 'acknowledged' || final.decision === undefined) {
        problem(`request ${id} ended ${final.status}: ${final.error ?? 'no decision key'}`)
        continue
      }
      const d = parseDecision(final.decision)
      if (d === undefined) problem(`request ${id}: decision key ${final.decision} is not "<epoch>:<leader>:<nonce>#<seq>"`)
      else history.push({ id, msg, reply: final.reply, key: final.decision, ...d })
      if (ack === undefined) {
        problem(`request ${id} is decided but its send never resolved as acknowledged`)
        continue
      }
      v.acked++
      const parsed = parseMsg(msg)
      if (parsed?.op === 'enq') ackedEnqueues.add(parsed.item)
      const decisions = new Set([ack.decision, ...(c.observed.get(id) ?? []).map((o) => o.decision), final.decision])
      const changed = decisions.size > 1 || canon(ack.reply) !== canon(final.reply)
      if (!changed) continue
      v.redecided++
      const told = `epoch ${ack.epoch} by ${ack.by}: ${canon(ack.reply)} (${ack.decision})`
      const now = `${canon(final.reply)} (${final.decision})`
      if (mode === 'quorum') {
        problem(`quorum: acknowledged request ${id} ${canon(msg)} was re-decided: told ${told}, now ${now}`)
      } else if (wasReported(id, c.conflicts, final)) {
        v.reported++
      } else {
        problem(`unreported re-decision of acknowledged ${id} ${canon(msg)}: told ${told}, now ${now}, no onConflict, not marked in getRequests()`)
      }
    }
  }
  checkFold(world, history, ackedEnqueues, v, problem)
  checkRoles(world, problem)
  return v
}

/** (c) and (d): the reference model over the final history gives every reply and every replica's state; no item stuck or lost. */
function checkFold(
  world: World,
  history: Array<{ id: string; msg: Json; reply: Json | undefined; key: string; epoch: number; seq: number; term: string }>,
  ackedEnqueues: ReadonlySet<string>,
  v: Verdict,
  problem: (p: string) => void
): void {
  const byKey = new Map<string, string>()
  const termOfEpoch = new Map<number, string>()
  for (const h of history) {
    const other = byKey.get(h.key)
    if (other !== undefined) problem(`decision ${h.key} answers two requests: ${other} and ${h.id}`)
    byKey.set(h.key, h.id)
    const t = termOfEpoch.get(h.epoch)
    if (t !== undefined && t !== h.term) problem(`the final history holds two terms of epoch ${h.epoch}: ${t} and ${h.term}`)
    termOfEpoch.set(h.epoch, h.term)
  }
  history.sort((a, b) => a.epoch - b.epoch || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0) || a.seq - b.seq)
  let model: QueueState = EMPTY_QUEUE
  const dequeued = new Map<string, number>()
  for (const h of history) {
    const msg = parseMsg(h.msg)
    if (msg === undefined) continue
    const { patch, reply } = step(model, msg)
    if (canon(reply) !== canon(h.reply)) {
      v.corrupted++
      problem(`fold: ${h.id} ${canon(h.msg)} decided ${h.key} replied ${canon(h.reply)}, but the queue the final history folds to gives ${canon(reply)} there`)
    }
    model = applyPatch(model, patch)
    const item = h.reply !== null && typeof h.reply === 'object' && !Array.isArray(h.reply) ? h.reply.item : undefined
    if (msg.op === 'deq' && typeof item === 'string') dequeued.set(item, (dequeued.get(item) ?? 0) + 1)
  }
  const expected = canon(model)
  for (const conn of world.liveConnections()) {
    const got = readQueue(conn.getState())
    if (canon(got) !== expected) problem(`replica ${conn.getSnapshot().self}: getState() ${canon(got)} is not the fold of the final history ${expected}`)
  }
  for (const [item, n] of dequeued) if (n > 1) problem(`item ${item} was dequeued ${n} times in the final history`)
  for (const item of ackedEnqueues) {
    if (dequeued.has(item)) continue
    const at = Object.entries(model.items).find(([, x]) => x === item)?.[0]
    if (at === undefined) problem(`acknowledged item ${item} is neither dequeued nor in the queue (lost)`)
    else if (Number(at) < model.head) problem(`acknowledged item ${item} is stuck at ${at}, below the head ${model.head}`)
  }
  for (const [at, item] of Object.entries(model.items)) {
    if (Number(at) < model.head) problem(`item ${item} is stuck at ${at}, below the head ${model.head}: later dequeues skip it`)
  }
}

/** (e): replicas converged, exactly one coordinator that everyone follows in one epoch. */
function checkRoles(world: World, problem: (p: string) => void): void {
  const conns = world.liveConnections()
  const servers = world.alive().filter((s) => s.server?.isServer() === true).map((s) => s.id)
  if (servers.length !== 1) problem(`${servers.length} coordinators at the end: [${servers.join(', ')}]`)
  const views = new Set(conns.map((c) => { const s = c.getSnapshot(); return `${s.coordinator ?? 'none'}@${s.epoch}` }))
  if (views.size !== 1) problem(`peers disagree on the coordinator: ${[...views].join(' | ')}`)
  const states = new Set(conns.map((c) => canon(c.getState())))
  if (states.size !== 1) problem(`${states.size} different server states across replicas`)
  const vectors = new Set(conns.map((c) => Buffer.from(Y.encodeStateVector(c.doc)).toString('base64')))
  if (vectors.size !== 1) problem(`replicas did not converge: ${vectors.size} different document state vectors`)
}
