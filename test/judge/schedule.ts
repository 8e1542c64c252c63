import type { PeerId } from '@sship/core'
import { healAndJudge } from './finish.js'
import type { Verdict } from './verdict.js'
import { World, type ServerNode } from './world.js'

/** The four modes of the judge's property test. */
export type JudgeMode = 'availability' | 'availability-no-partitions' | 'quorum' | 'quorum-restarts'

/** Size and length of a schedule. */
export interface ScheduleSize {
  readonly servers: number
  readonly clients: number
  /** Simulated milliseconds of faults before the final heal. */
  readonly chaosMs: number
}

/** The judge's own PRNG (mulberry32), apart from the network's, so schedules are its own. */
export class Dice {
  private state: number
  constructor(seed: number) {
    this.state = (seed * 0x9e3779b1) >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T
  }
}

/** The outcome of one seed: the verdict and a log of what the schedule did (for the failure message). */
export interface ScheduleRun {
  readonly verdict: Verdict
  readonly log: string[]
}

/**
 * One seeded schedule: servers running the queue, clients sending all the time, and for
 * `chaosMs` crashes (about half aimed at the coordinator), restarts from the old or an empty
 * document (sometimes with the restarted peer's links down), 2-3-way partitions, cut single
 * links, single lost frames (a link cut for a few ms), stalls of single followers (all their
 * links cut for a while), a new coordinator cut off as it takes the role, loss up to 25 %,
 * duplication, reordering and jitter up to 200 ms; then the final heal, quiescence and the
 * verdict.
 *
 * Modes: `availability` (everything), `availability-no-partitions` (no partitions, cut links,
 * stalls or cut-off peers: only crashes, restarts, single lost frames and a lossy, jittery
 * network), `quorum` (everything, but crashes of at most a minority, never restarted) and
 * `quorum-restarts` (everything; a fixed minority crashes and restarts, from the old or an empty
 * document).
 */
export async function runSchedule(seed: number, mode: JudgeMode, size: ScheduleSize, checkpointEvery?: number): Promise<ScheduleRun> {
  const dice = new Dice(seed)
  const log: string[] = []
  const quorum = mode === 'quorum' || mode === 'quorum-restarts'
  const partitions = mode !== 'availability-no-partitions'
  const restarts = mode !== 'quorum'
  const w = new World({
    seed, servers: size.servers, clients: size.clients, mode: quorum ? 'quorum' : 'availability', ...(checkpointEvery !== undefined ? { checkpointEvery } : {})
  }).start()
  const at = (what: string): void => {
    log.push(`${w.clock.now()}ms ${what}`)
  }
  // Quorum modes crash only a fixed minority (with the initial host in it), so a majority
  // always holds what was committed: the fault model the quorum guarantee is stated for.
  const minority = Math.floor((size.servers - 1) / 2)
  const crashable = quorum
    ? [w.servers[0] as ServerNode, ...w.servers.slice(1).filter(() => dice.chance(0.5))].slice(0, minority)
    : w.servers
  const everyone: PeerId[] = [...w.servers.map((s) => s.id), ...w.clients.map((c) => c.id)]
  /** Servers whose own connection sends: they never crash again. */
  const senders = new Set<ServerNode>()
  const undo: Array<{ t: number; run: () => void }> = []
  const later = (ms: number, run: () => void): void => {
    undo.push({ t: w.clock.now() + ms, run })
  }
  /** Cuts every link of `s` for `ms` (a stall, or a peer whose links are down). */
  const isolate = (s: ServerNode, ms: number): void => {
    const others = everyone.filter((id) => id !== s.id)
    for (const o of others) w.cut(s.id, o)
    later(ms, () => {
      for (const o of others) w.mend(s.id, o)
    })
  }
  let items = 0
  let chaos = false
  // Sometimes a new coordinator is cut off the moment it takes the role (an election or a
  // failback handoff whose winner's links fail at once).
  w.onBoot((s) => {
    let was = false
    s.server?.subscribe(() => {
      const now = s.server?.isServer() === true
      if (now && !was && chaos && partitions && s.alive && dice.chance(0.2)) {
        isolate(s, dice.int(300, 3000))
        at(`cut off ${s.id} as it takes the role`)
      }
      was = now
    })
  })
  w.run(2000)
  chaos = true
  const end = w.clock.now() + size.chaosMs
  while (w.clock.now() < end) {
    w.run(dice.int(20, 200))
    for (const u of undo.filter((x) => x.t <= w.clock.now())) {
      undo.splice(undo.indexOf(u), 1)
      u.run()
    }
    // Clients send about one request per step.
    for (let k = dice.int(0, 2); k > 0; k--) {
      const c = dice.pick(w.clients)
      w.send(c, dice.chance(0.6) ? { op: 'enq', item: `${c.id}-${items++}` } : { op: 'deq' })
    }
    const roll = dice.next()
    if (roll < 0.05) {
      // A crash, often of the coordinator; a restart later from the old or an empty document.
      const live = crashable.filter((s) => s.alive && !senders.has(s))
      const coordinator = live.find((s) => s.server?.isServer() === true)
      const victim = coordinator !== undefined && dice.chance(0.5) ? coordinator : live.length > 0 ? dice.pick(live) : undefined
      const down = w.servers.filter((s) => !s.alive).length
      if (victim === undefined || down >= (quorum ? minority : size.servers - 1)) continue
      const saved = w.crash(victim)
      at(`crash ${victim.id}${victim === coordinator ? ' (coordinator)' : ''}`)
      if (restarts) {
        const empty = dice.chance(0.4)
        const cutOff = partitions && dice.chance(0.3)
        const downMs = dice.int(1000, 3000)
        const sendAt = dice.int(400, 800)
        later(dice.int(300, 3000), () => {
          // Sometimes it restarts while its links are down.
          if (cutOff) isolate(victim, downMs)
          w.restart(victim, empty ? undefined : saved)
          at(`restart ${victim.id} from ${empty ? 'an empty' : 'its old'} document${cutOff ? ', its links down' : ''}`)
          if (!(cutOff && empty) || senders.has(victim)) return
          // A newcomer that found no app sends requests of its own; it never crashes again, so
          // its getRequests() is there to judge at the end.
          senders.add(victim)
          const me = w.trackSender(victim)
          later(sendAt, () => {
            w.send(me, { op: 'enq', item: `${victim.id}-${items++}` })
            w.send(me, { op: 'deq' })
            at(`newcomer ${victim.id} sends two requests`)
          })
        })
      }
    } else if (roll < 0.08 && partitions) {
      // A 2- or 3-way partition of everyone, for a while.
      const n = dice.int(2, 3)
      const groups: PeerId[][] = Array.from({ length: n }, () => [])
      for (const id of everyone) groups[dice.int(0, n - 1)]?.push(id)
      w.partition(groups)
      at(`partition ${groups.map((g) => g.join(',')).join(' | ')}`)
      later(dice.int(500, 5000), () => {
        w.partition([])
        at('partition healed')
      })
    } else if (roll < 0.14 && partitions) {
      // A cut single link, for a while.
      const a = dice.pick(w.servers).id
      const b = dice.pick(everyone)
      if (a === b) continue
      w.cut(a, b)
      at(`cut ${a}-${b}`)
      later(dice.int(300, 4000), () => w.mend(a, b))
    } else if (roll < 0.17 && partitions) {
      // A stall of a single follower: all its links cut for a while.
      const f = dice.pick(w.servers.filter((s) => s.alive && s.server?.isServer() !== true))
      if (f === undefined) continue
      isolate(f, dice.int(200, 1500))
      at(`stall ${f.id}`)
    } else if (roll < 0.25) {
      // A single lost frame (or a few): one link cut for a few milliseconds.
      const a = dice.pick(w.servers).id
      const b = dice.pick(everyone)
      if (a === b) continue
      w.cut(a, b)
      w.run(dice.int(1, 30))
      w.mend(a, b)
    } else if (roll < 0.29) {
      // The network's weather: jitter up to 200 ms, loss up to 25 %, duplication, reordering.
      const max = dice.int(5, 200)
      const faults = {
        latencyMs: { min: dice.int(1, Math.min(40, max)), max },
        dropRate: dice.chance(0.5) ? dice.next() * 0.25 : 0,
        duplicateRate: dice.next() * 0.1,
        reorderRate: dice.next() * 0.1
      }
      w.network.setFaults(faults)
      at(`faults ${JSON.stringify(faults)}`)
    }
  }
  // Restarts, mends and heals still due happen now, just before the final heal.
  chaos = false
  for (const u of undo.splice(0)) u.run()
  for (const u of undo.splice(0)) u.run()
  const verdict = await healAndJudge(w, quorum ? 'quorum' : 'availability')
  const errors = w.network.handlerErrors()
  if (errors.length > 0) verdict.problems.push(`${errors.length} exceptions thrown by peers' receive handlers, first: ${String(errors[0])}`)
  return { verdict, log }
}
