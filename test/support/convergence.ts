/**
 * Seeded schedules for the convergence property test: N client-only peers replicate one doc
 * over a faulty in-memory network; named document mutators (see `docMutators.ts`) interleave
 * with network mutators (latency, drop/duplicate/reorder, partitions, heal, crash, restart).
 */
import type * as Y from 'yjs'
import { asPeerId, connect, type Connection, type PeerId, type Random } from '@sship/core'
import { seededRandom, stateDigest } from '@sship/core/internals'
import { MemoryNetwork, compareAll, defaultNetworkFaults } from '@sship/core/testing'
import { docMutators, layout, richJson } from './docMutators.js'

/**
 * Virtual time run after the schedule, with the network healed and calm, before the one check.
 *
 * Replication after a heal rests on anti-entropy alone (partitions heal silently and client-only
 * peers send no heartbeats): every 0.75-1.25 s each peer sends its digest to one random peer, and
 * a mismatch starts sync step 1 both ways, so a difference spreads like push-pull gossip in
 * O(log N) rounds, and frames still in flight from the schedule land within about 0.5 s.
 * Measured with `SSHIP_MEASURE_SETTLE=1 SSHIP_SEEDS=10000` (time from the heal until
 * `checkConverged` passes, in 50 ms steps): p50 1.0 s, p90 2.55 s, p99 3.4 s, max 4.7 s (seed
 * 3084, 19 peers); no seed failed to converge. 8 s is that maximum plus three gossip rounds.
 */
export const SETTLE_MS = 8_000

/** One device: its GUID and its current incarnation, if it is running. */
interface Replica {
  readonly id: PeerId
  readonly index: number
  incarnation: number
  conn: Connection | undefined
}

/** A running schedule: the network, the replicas and what happened. */
export class ConvergenceWorld {
  readonly network: MemoryNetwork
  /** The test's own choices, kept apart from the network's and the peers' randomness. */
  readonly random: Random
  readonly replicas: Replica[] = []
  readonly log: string[] = []
  readonly counts = { ops: 0, crashes: 0, restarts: 0, partitions: 0 }

  constructor(readonly seed: number, peers: number) {
    this.network = new MemoryNetwork({ seed })
    this.random = seededRandom(seed ^ 0x0c0ffee)
    for (let i = 0; i < peers; i++) {
      const r: Replica = { id: asPeerId(`p${String(i).padStart(2, '0')}`), index: i, incarnation: 0, conn: undefined }
      this.replicas.push(r)
      this.boot(r)
    }
  }

  /** Live replicas. */
  alive(): Replica[] {
    return this.replicas.filter((r) => r.conn !== undefined)
  }

  /** Live replicas' documents. */
  docs(): Y.Doc[] {
    return this.alive().map((r) => (r.conn as Connection).doc)
  }

  /** A fresh peer with an empty document for `r`: first start, or restart after a crash (same GUID). */
  boot(r: Replica): void {
    // Each incarnation draws its own Y clientID: reusing one with an empty doc would corrupt replicas.
    const random = seededRandom((this.seed * 7919 + r.index * 104729 + r.incarnation * 1299709) >>> 0)
    const conn = connect('conv', { transport: this.network.transport(r.id), clock: this.network.clock, random, timing: {} })
    layout(conn.doc)
    r.conn = conn
  }

  /** `r` vanishes without a goodbye; its unsynced updates may be lost for good. */
  crash(r: Replica): void {
    this.network.crash(r.id)
    r.conn?.peer.stop()
    r.conn = undefined
    this.counts.crashes++
  }

  /** Anti-entropy repairs, summed over live peers. */
  repairs(): number {
    return this.alive().reduce((n, r) => n + (r.conn?.peer.sync.repairs ?? 0), 0)
  }
}

const int = (r: Random, n: number): number => Math.floor(r.next() * n)
const pick = <T>(r: Random, xs: readonly T[]): T | undefined => xs[int(r, xs.length)]

/** The network mutators, by name. */
export const networkMutators: Record<string, (w: ConvergenceWorld) => string> = {
  deliver(w) {
    const ms = int(w.random, 300)
    w.network.clock.advance(ms)
    return `deliver ${ms} ms`
  },
  latency(w) {
    const min = int(w.random, 20)
    const latencyMs = { min, max: min + int(w.random, 200) }
    w.network.setFaults({ latencyMs })
    return `latency ${latencyMs.min}-${latencyMs.max} ms`
  },
  faults(w) {
    const r = w.random
    const f = { dropRate: r.next() * 0.5, duplicateRate: r.next() * 0.3, reorderRate: r.next() * 0.5 }
    w.network.setFaults(f)
    return `faults drop=${f.dropRate.toFixed(2)} dup=${f.duplicateRate.toFixed(2)} reorder=${f.reorderRate.toFixed(2)}`
  },
  calm(w) {
    w.network.setFaults({ dropRate: 0, duplicateRate: 0, reorderRate: 0 })
    return 'calm'
  },
  partition(w) {
    const groups: PeerId[][] = Array.from({ length: 2 + int(w.random, 3) }, () => [])
    for (const r of w.replicas) groups[int(w.random, groups.length)]?.push(r.id)
    w.network.partition(groups)
    w.counts.partitions++
    return `partition ${groups.map((g) => g.join(',')).join(' | ')}`
  },
  heal(w) {
    w.network.heal()
    return 'heal'
  },
  crash(w) {
    const alive = w.alive()
    const victim = pick(w.random, alive)
    if (victim === undefined || alive.length <= 2) return 'crash: skipped (keep two alive)'
    w.crash(victim)
    return `crash ${victim.id}`
  },
  restart(w) {
    const dead = pick(w.random, w.replicas.filter((r) => r.conn === undefined))
    if (dead === undefined) return 'restart: nobody dead'
    dead.incarnation++
    w.boot(dead)
    w.counts.restarts++
    return `restart ${dead.id} (incarnation ${dead.incarnation}, empty doc)`
  }
}

const weights: Array<[string, number]> = [
  ...Object.keys(docMutators).map((name): [string, number] => [name, 5]),
  ['deliver', 12], ['latency', 2], ['faults', 3], ['calm', 1], ['partition', 2], ['heal', 2], ['crash', 2], ['restart', 2]
]
const totalWeight = weights.reduce((a, [, w]) => a + w, 0)

function chooseMutator(r: Random): string {
  let x = r.next() * totalWeight
  for (const [name, w] of weights) if ((x -= w) < 0) return name
  return 'deliver'
}

/** Peers in seed `seed`'s run: every 40th seed has 50, the others 2..50, skewed small to keep CI fast. */
export function peerCount(seed: number): number {
  if (seed % 40 === 0) return 50
  return 2 + Math.floor(seededRandom(seed ^ 0xa11ce).next() ** 3 * 49)
}

/** Runs seed `seed`'s schedule, then heals the network and calms every fault; the clock is not settled yet. */
export function runSchedule(seed: number, steps = 80): ConvergenceWorld {
  const w = new ConvergenceWorld(seed, peerCount(seed))
  w.log.push(`peers=${w.replicas.length}`)
  for (let step = 0; step < steps; step++) {
    const name = chooseMutator(w.random)
    const doc = docMutators[name]
    let what: string
    if (doc !== undefined) {
      const target = pick(w.random, w.alive())
      const done = target?.conn === undefined ? undefined : doc(layout(target.conn.doc), w.random)
      if (done !== undefined) w.counts.ops++
      what = `${target?.id ?? '-'}: ${done ?? `${name} skipped`}`
    } else {
      what = networkMutators[name]?.(w) ?? name
    }
    w.log.push(`${w.network.clock.now().toFixed(0)}: ${what}`)
    w.network.clock.advance(int(w.random, 50))
  }
  w.network.heal()
  w.network.setFaults({ ...defaultNetworkFaults })
  w.log.push(`${w.network.clock.now().toFixed(0)}: heal, calm`)
  return w
}

/** Throws (a `ConvergenceError` or an `Error`) unless the live replicas have converged. */
export function checkConverged(w: ConvergenceWorld): void {
  const docs = w.docs()
  compareAll(docs, { lostUpdatesPossible: w.counts.crashes > 0 })
  const views = docs.map((d) => richJson(layout(d)))
  const differs = views.findIndex((v) => v !== views[0])
  if (differs > 0) throw new Error(`replica ${differs} has other text formatting than replica 0`)
  if (w.network.handlerErrors().length > 0) throw new Error(`handler threw: ${String(w.network.handlerErrors()[0])}`)
  for (const r of w.alive()) {
    const errors = r.conn?.peer.stats.totalErrors() ?? 0
    if (errors > 0) throw new Error(`${r.id} reported errors ${JSON.stringify(r.conn?.peer.stats.errors)}`)
  }
}

/** Virtual ms after the heal until the replicas pass {@link checkConverged}, checked every `stepMs`; -1 if not within `maxMs`. */
export function timeToConverge(w: ConvergenceWorld, maxMs: number, stepMs = 50): number {
  for (let t = 0; t <= maxMs; t += stepMs) {
    const digests = new Set(w.docs().map(stateDigest))
    try {
      if (digests.size === 1) {
        checkConverged(w)
        return t
      }
    } catch {
      // not yet
    }
    w.network.clock.advance(stepMs)
  }
  return -1
}
