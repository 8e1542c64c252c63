/** Seeded random schedules of faults (crashes, restarts, partitions, cut links, drops…) and sends for the coordinator property tests. */
import { Cluster, checkCluster, type ClusterOptions, type Member } from '@sship/core/testing'

/** Named mutators: each takes the cluster one random step away from calm. */
export const mutators: Record<string, (c: Cluster) => string> = {
  send(c) {
    const from = pick(c, c.alive())
    if (from === undefined) return 'send: nobody alive'
    c.send(from.id)
    return `send from ${from.id}`
  },
  crash(c) {
    const leaders = c.leaders()
    const victim = c.random.next() < 0.5 && leaders.length > 0 ? pick(c, leaders) : pick(c, c.alive())
    if (victim === undefined || c.alive().length <= 1) return 'crash: skipped'
    // Quorum mode's fault model without persistence: fewer than half of the eligible peers down.
    const eligible = c.members.filter((m) => m.eligible)
    if (c.options.mode === 'quorum' && victim.eligible && (eligible.filter((m) => m.alive).length - 1) * 2 <= eligible.length) return 'crash: skipped (would leave no majority)'
    c.crash(victim.id)
    return `crash ${victim.id}`
  },
  kill(c) {
    // A process killed (SIGKILL): like a crash, but its links close at once, as a LAN's TCP does.
    const leaders = c.leaders()
    const victim = c.random.next() < 0.5 && leaders.length > 0 ? pick(c, leaders) : pick(c, c.alive())
    if (victim === undefined || c.alive().length <= 1) return 'kill: skipped'
    const eligible = c.members.filter((m) => m.eligible)
    if (c.options.mode === 'quorum' && victim.eligible && (eligible.filter((m) => m.alive).length - 1) * 2 <= eligible.length) return 'kill: skipped (would leave no majority)'
    c.kill(victim.id)
    return `kill ${victim.id}`
  },
  restart(c) {
    const dead = pick(c, c.members.filter((m) => !m.alive))
    if (dead === undefined) return 'restart: nobody dead'
    c.restart(dead.id)
    return `restart ${dead.id}`
  },
  partition(c) {
    const groups: string[][] = [[], []]
    for (const m of c.members) (groups[Math.floor(c.random.next() * 2)] as string[]).push(m.id)
    c.partition(groups)
    return `partition ${groups.map((g) => g.join(',')).join(' | ')}`
  },
  cut(c) {
    const a = pick(c, c.members)
    const b = pick(c, c.members.filter((m) => m !== a))
    if (a === undefined || b === undefined) return 'cut: skipped'
    c.cutLink(a.id, b.id)
    return `cut ${a.id}-${b.id}`
  },
  heal(c) {
    c.heal()
    return 'heal'
  },
  faults(c) {
    const f = { dropRate: c.random.next() * 0.2, duplicateRate: c.random.next() * 0.2, reorderRate: c.random.next() * 0.3 }
    c.network.setFaults(f)
    return `faults ${JSON.stringify(f)}`
  },
  stall(c) {
    // One peer's process freezes (SIGSTOP, a starved CPU, a backgrounded tab) for 100-900 ms.
    const victim = pick(c, c.alive())
    if (victim === undefined) return 'stall: nobody alive'
    const ms = 100 + Math.floor(c.random.next() * 800)
    c.stall(victim.id, ms)
    return `stall ${victim.id} ${ms}ms`
  },
  jitter(c) {
    // A busy Wi-Fi: wide one-way delays, a heavy tail of late frames (reordered), loss.
    const max = 20 + Math.floor(c.random.next() * 280)
    const f = { latencyMs: { min: 0, max }, dropRate: c.random.next() * 0.12, reorderRate: c.random.next() * 0.1 }
    c.network.setFaults(f)
    return `jitter ${JSON.stringify(f)}`
  },
  hide(c) {
    // A page goes to the background (or comes back).
    const victim = pick(c, c.alive().filter((m) => m.server !== undefined))
    if (victim?.server === undefined) return 'hide: no server alive'
    const hidden = !victim.server.getSnapshot().hidden
    victim.server.setHidden(hidden)
    return `${hidden ? 'hide' : 'show'} ${victim.id}`
  },
  leave(c) {
    // A clean leave (a tab closed): off the successorship list at once; it may restart later and re-join at the end.
    const initial = c.members[0]
    const who = pick(c, c.alive().filter((m) => m.eligible && m !== initial))
    if (who === undefined) return 'leave: skipped'
    // Until its retirement is decided a leaver counts like a crashed member: same fault model as crash.
    const eligible = c.members.filter((m) => m.eligible)
    if (c.options.mode === 'quorum' && (eligible.filter((m) => m.alive).length - 1) * 2 <= eligible.length) return 'leave: skipped (would leave no majority)'
    c.leave(who.id)
    return `leave ${who.id}`
  },
  calm(c) {
    c.network.setFaults({ dropRate: 0, duplicateRate: 0, reorderRate: 0, latencyMs: { min: 1, max: 5 } })
    return 'calm'
  }
}
const weights: Array<[string, number]> = [['send', 10], ['crash', 2], ['restart', 2], ['partition', 1], ['cut', 1], ['heal', 1], ['faults', 1], ['calm', 1], ['stall', 1], ['jitter', 1], ['hide', 1], ['leave', 1]]

/** Short enough that crashed peers are retired during a schedule (the default is 10 minutes). */
export const SCHEDULE_RETIRE_MS = 2500

function pick<T>(c: Cluster, xs: readonly T[]): T | undefined {
  return xs[Math.floor(c.random.next() * xs.length)]
}

function chooseMutator(c: Cluster): string {
  const total = weights.reduce((a, [, w]) => a + w, 0)
  let r = c.random.next() * total
  for (const [name, w] of weights) if ((r -= w) < 0) return name
  return 'send'
}

/**
 * Runs one seeded schedule and returns the problems found after quiescence. Quorum mode runs
 * in its fault model: crashes never take down half of the eligible peers, and there are no
 * restarts (without persistence a restarted peer has forgotten its votes and its decisions, so
 * a majority of amnesic restarts could legitimately lose committed decisions).
 */
export function runSchedule(
  seed: number, mode: 'availability' | 'quorum' = 'availability',
  options: { identity?: boolean; wrapTransport?: ClusterOptions['wrapTransport']; closesOnCrash?: boolean; checkpointEvery?: number } = {}
): { problems: string[]; log: string[]; cluster: Cluster } {
  const probe = new Cluster({ seed, servers: 1 })
  const servers = 2 + Math.floor(probe.random.next() * 4)
  const clients = Math.floor(probe.random.next() * 3)
  const wrap = {
    ...(options.wrapTransport === undefined ? {} : { wrapTransport: options.wrapTransport }),
    ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery })
  }
  const c = new Cluster({ seed, servers, clients, mode, identity: options.identity ?? false, closesOnCrash: options.closesOnCrash ?? false, timing: { retireAfterMs: SCHEDULE_RETIRE_MS }, ...wrap }).start()
  const log: string[] = [`servers=${servers} clients=${clients}`]
  c.run(500)
  for (let step = 0; step < 40; step++) {
    let name = chooseMutator(c)
    if (mode === 'quorum' && name === 'restart') name = 'send'
    // Where links close on a crash, half the crashes are kills (links close), half power losses (silent).
    if (options.closesOnCrash === true && name === 'crash' && c.random.next() < 0.5) name = 'kill'
    log.push(`${Math.round(c.clock.now())}: ${mutators[name]?.(c)}`)
    c.run(10 + Math.floor(c.random.next() * 300))
  }
  // Quiescence: calm network, whole again, and at least one eligible peer alive.
  c.heal()
  c.network.setFaults({ dropRate: 0, duplicateRate: 0, reorderRate: 0, latencyMs: { min: 1, max: 5 } })
  for (const m of c.alive()) if (m.server?.getSnapshot().hidden === true) m.server.setHidden(false)
  if (!c.alive().some((m: Member) => m.eligible)) c.restart(c.members[0]!.id)
  c.run(12_000)
  return { problems: [...checkCluster(c), ...checkMembers(c)], log, cluster: c }
}

/** After quiescence every live peer sees the same members, and every live eligible peer is one (a retired one re-joined). */
function checkMembers(c: Cluster): string[] {
  const live = c.alive()
  const lists = live.map((m) => m.connection!.getSnapshot().successors.join(','))
  const problems: string[] = []
  if (new Set(lists).size > 1) problems.push(`members differ: ${[...new Set(lists)].join(' / ')}`)
  const first = live[0]?.connection!.getSnapshot().successors ?? []
  for (const m of live) if (m.eligible && !first.includes(m.id)) problems.push(`${m.id} is alive but not a member`)
  return problems
}

