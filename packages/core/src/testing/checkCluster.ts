import { Role } from '../coordinator/Role.js'
import type { Cluster } from './Cluster.js'
import { compareAll } from './compareAll.js'

/** Counts over a cluster's sends, judged against the final server state. */
export interface ClusterTally {
  sent: number
  acked: number
  /** Distinct tokens applied at least once. */
  processed: number
  /** Tokens applied more than once (summed excess). */
  duplicates: number
  /**
   * Acknowledged tokens of senders still running not applied, plus requests left undecided
   * though a coordinator exists.
   */
  lost: number
  /**
   * Acknowledged tokens missing whose sender has crashed since (without persistence a crash may
   * take the only copy with it), and acknowledged decisions that every holder took down with it.
   */
  orphaned: number
  /** Acknowledged requests whose answering decision, still held by the replicas, was fenced and re-decided (a conflict). */
  superseded: number
}

/** Tallies sends, acks, applications, duplicates and losses. */
export function tally(cluster: Cluster): ClusterTally {
  const alive = cluster.alive()
  const any = alive[0]?.connection
  const seenValue = any?.getState().seen
  const seen = (typeof seenValue === 'object' && seenValue !== null && !Array.isArray(seenValue) ? seenValue : {}) as Record<string, unknown>
  let duplicates = 0
  let processed = 0
  for (const v of Object.values(seen)) {
    if (typeof v !== 'number') continue
    processed++
    if (v > 1) duplicates += v - 1
  }
  let lost = 0
  let orphaned = 0
  let superseded = 0
  for (const s of cluster.sent) {
    if (s.decision === undefined || any === undefined) continue
    const now = (any.peer.ledger.decisionFor(s.id) ?? any.peer.ledger.checkpointedDecision(s.id))?.key
    if (now === undefined || now === s.decision) continue
    // Fenced while the replicas still hold it: a conflict. Gone from every replica: every peer
    // that held it crashed without persistence, which no protocol survives (counted as orphaned).
    if (any.peer.app.decisions.has(s.decision)) superseded++
    else orphaned++
  }
  for (const s of cluster.sent) {
    if (s.ackAt === undefined || seen[s.token] === 1) continue
    const sender = cluster.member(s.from)
    if (sender.alive && sender.incarnation === s.incarnation) lost++
    else orphaned++
  }
  if (any !== undefined && cluster.leaders().length > 0) {
    lost += any.peer.ledger.pending().size
  }
  return { sent: cluster.sent.length, acked: cluster.sent.filter((s) => s.ackAt !== undefined).length, processed, duplicates, lost, orphaned, superseded }
}

/**
 * Judges a quiescent cluster (network healed and settled): returns every problem found, or an
 * empty list. Checks one coordinator that everyone follows, converged replicas, every
 * acknowledged request applied exactly once, nothing left undecided, epochs never going back,
 * and no exception escaping a handler.
 */
export function checkCluster(cluster: Cluster): string[] {
  const problems: string[] = []
  const alive = cluster.alive()
  const leaders = cluster.leaders()
  const eligibleAlive = alive.filter((m) => m.eligible)
  if (leaders.length > 1) problems.push(`${leaders.length} coordinators: ${leaders.map((m) => m.id).join(', ')}`)
  if (eligibleAlive.length > 0 && leaders.length === 0) problems.push('no coordinator although eligible peers are alive')
  const leader = leaders[0]
  if (leader !== undefined) {
    for (const m of alive) {
      const snap = m.connection?.getSnapshot()
      if (snap?.coordinator !== leader.id) problems.push(`${m.id} follows ${snap?.coordinator ?? 'nobody'} (${snap?.role}), not ${leader.id}`)
    }
  }
  try {
    compareAll(alive.map((m) => m.connection?.doc).filter((d) => d !== undefined), { lostUpdatesPossible: cluster.members.some((m) => m.incarnation > 0 || !m.alive) })
  } catch (e) {
    problems.push(`replicas differ: ${(e as Error).message}`)
  }
  const t = tally(cluster)
  if (t.duplicates > 0) problems.push(`${t.duplicates} duplicate applications`)
  if (t.lost > 0) problems.push(`${t.lost} requests lost or left undecided`)
  if (cluster.options.mode === 'quorum' && t.superseded > 0) problems.push(`${t.superseded} acknowledged decisions were re-decided (never allowed in quorum mode)`)
  if (cluster.epochRegressions.length > 0) problems.push(`epoch went back: ${cluster.epochRegressions.slice(0, 3).join('; ')}`)
  const handlerErrors = cluster.network.handlerErrors()
  if (handlerErrors.length > 0) problems.push(`${handlerErrors.length} exceptions escaped receive handlers: ${String(handlerErrors[0])}`)
  for (const m of alive) {
    const internal = m.connection?.peer.stats.errors.internal ?? 0
    if (internal > 0) problems.push(`${m.id} had ${internal} internal errors`)
    if (m.connection?.peer.coordinator.currentRole() === Role.Candidate) problems.push(`${m.id} is still a candidate`)
  }
  return problems
}
