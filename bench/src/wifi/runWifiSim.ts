import type { Server, ServerHandler } from '@sship/core'
import { Cluster } from '@sship/core/testing'
import { decisionTerm } from '../systems/queue/decisionKey.js'
import { checkLedger, type AckRecord } from './ledgerCheck.js'
import { falseRoleChanges, roleChanges, type RoleObservation, type Window } from './roleTimeline.js'
import { channelFaults, nextBurst, SLOT_MS, STALL_PER_SLOT } from './wifiChannel.js'
import type { WifiRunSpec } from './wifiPlan.js'
import type { WifiRunResult } from './WifiRunResult.js'
import { CUT_MS, CUT_PERIOD_MS, EXCUSED_AFTER_MS, FIRST_FREEZE_MS, FREEZE_EVERY_MS, FREEZE_FOR_MS } from './WifiProfile.js'

const REQUEST_EVERY_MS = 100
const FAILOVER_BOUND_MS = 30_000

/** The CLI's counter, on the simulated cluster: `inc` commits count + 1 and replies with it. */
function counter(server: Server): ServerHandler {
  return () => {
    const n = server.getState().count
    const count = (typeof n === 'number' ? n : 0) + 1
    server.commitChange({ count })
    return { count }
  }
}

/**
 * The same study on core's in-memory network under virtual time (no CPU cost, no scheduling
 * noise): a two-state burst-loss channel with a long delay tail (see `channelFaults`), and now
 * and then one peer's radio silent; `cut` isolates the coordinator for 10 s, `sleepy` freezes a
 * random peer for 200–800 ms every 20–40 s (`Cluster.stall`: its timers and frames wait, as
 * under SIGSTOP). The network closes a killed peer's links, as the LAN's TCP does
 * (`closesOnCrash`). Then `spec.kills` kills of the coordinator (its links close, like SIGKILL),
 * each restarted (empty replica, same GUID) once the others agreed. A random live peer sends a
 * request every 100 ms.
 */
export function runWifiSim(spec: WifiRunSpec, progress: (what: string) => void): WifiRunResult {
  const wallStart = performance.now()
  const cluster = new Cluster({ seed: spec.seed, servers: spec.peers, handler: counter, closesOnCrash: true })
  const { clock, random } = cluster
  const ids = (): string[] => cluster.members.map((m) => m.id)
  const obs: RoleObservation[] = []
  const notes: string[] = []
  let burst = false
  let stalledUntil = -1
  let isolated: string | undefined
  let nextRequest = 0
  let slot = -1
  const lastSeen = new Map<string, RoleObservation>()
  const sample = (): void => {
    for (const m of cluster.alive()) {
      const s = m.connection?.getSnapshot()
      if (s === undefined) continue
      const last = lastSeen.get(m.id)
      if (last === undefined || last.coordinator !== s.coordinator || last.epoch !== s.epoch || last.failoverInProgress !== s.failoverInProgress) {
        const o = { at: clock.now(), peer: m.id, coordinator: s.coordinator, epoch: s.epoch, failoverInProgress: s.failoverInProgress }
        obs.push(o)
        lastSeen.set(m.id, o)
      }
    }
  }
  /** Runs `ms` of virtual time in slots: channel state, stalls, requests, observations. */
  const run = (ms: number, impaired: boolean, until?: () => boolean): boolean => {
    const end = clock.now() + ms
    while (clock.now() < end) {
      if (impaired && Math.floor(clock.now() / SLOT_MS) !== slot) {
        slot = Math.floor(clock.now() / SLOT_MS)
        burst = nextBurst(burst, random.next())
        cluster.network.setFaults(channelFaults(spec.profile, burst))
        if (spec.profile.loss > 0 && isolated === undefined && random.next() < STALL_PER_SLOT) {
          isolate(ids()[Math.floor(random.next() * spec.peers)] as string, 200 + random.next() * 600)
        }
      }
      if (isolated !== undefined && clock.now() >= stalledUntil) {
        cluster.heal()
        isolated = undefined
      }
      if (clock.now() >= nextRequest) {
        const alive = cluster.alive()
        const from = alive[Math.floor(random.next() * alive.length)]
        if (from !== undefined) cluster.send(from.id)
        nextRequest = clock.now() + REQUEST_EVERY_MS
      }
      cluster.run(10)
      sample()
      if (until?.() === true) return true
    }
    return false
  }
  const isolate = (id: string, ms: number): void => {
    cluster.partition([[id], ids().filter((x) => x !== id)])
    isolated = id
    stalledUntil = clock.now() + ms
  }
  const agreedOn = (): string | undefined => {
    const alive = cluster.alive()
    const s0 = alive[0]?.connection?.getSnapshot()
    if (s0?.coordinator == null) return undefined
    return alive.every((m) => {
      const s = m.connection?.getSnapshot()
      return s !== undefined && s.coordinator === s0.coordinator && s.epoch === s0.epoch && !s.failoverInProgress
    }) ? s0.coordinator : undefined
  }

  progress('joining')
  cluster.start()
  if (!run(30_000, false, () => agreedOn() !== undefined && cluster.alive().every((m) => m.connection?.getSnapshot().successors.length === spec.peers))) {
    throw new Error(`the ${spec.peers} simulated peers did not agree within 30 s (virtual)`)
  }
  run(2000, false)

  // The phase without kills.
  const quietStart = clock.now()
  const quietEnd = quietStart + spec.quietMs
  const excused: Window[] = []
  let cuts = 0
  let freezes = 0
  let nextCut = spec.profile.cut ? quietStart + 5000 : Infinity
  let nextFreeze = spec.profile.sleepy ? quietStart + FIRST_FREEZE_MS[0] + random.next() * (FIRST_FREEZE_MS[1] - FIRST_FREEZE_MS[0]) : Infinity
  while (clock.now() < quietEnd) {
    progress(`no kills: ${Math.round((clock.now() - quietStart) / 1000)}/${Math.round(spec.quietMs / 1000)} s (virtual)`)
    if (clock.now() >= nextCut && clock.now() + CUT_MS < quietEnd) {
      const cutAt = clock.now()
      isolate(agreedOn() ?? ids()[0] as string, CUT_MS)
      run(CUT_MS + 10, true)
      excused.push({ from: cutAt, to: clock.now() + EXCUSED_AFTER_MS })
      cuts++
      nextCut = clock.now() + CUT_PERIOD_MS - CUT_MS
    } else if (clock.now() >= nextFreeze) {
      cluster.stall(ids()[Math.floor(random.next() * spec.peers)] as string, FREEZE_FOR_MS[0] + random.next() * (FREEZE_FOR_MS[1] - FREEZE_FOR_MS[0]))
      freezes++
      nextFreeze = clock.now() + FREEZE_EVERY_MS[0] + random.next() * (FREEZE_EVERY_MS[1] - FREEZE_EVERY_MS[0])
    }
    run(Math.min(1000, quietEnd - clock.now()), true)
  }
  const changes = roleChanges(obs, quietStart, quietEnd, excused)
  const falseChanges = falseRoleChanges(obs, quietStart, quietEnd, excused)

  // Kills of the coordinator.
  const samples: number[] = []
  let timeouts = 0
  let kills = 0
  for (let k = 0; k < spec.kills; k++) {
    progress(`kill ${k + 1}/${spec.kills}`)
    if (!run(30_000, true, () => agreedOn() !== undefined && isolated === undefined)) {
      notes.push(`kill ${k + 1}: no agreement within 30 s (virtual); kills stopped`)
      break
    }
    const victim = agreedOn() as string
    const killedAt = clock.now()
    cluster.kill(victim)
    kills++
    const survivors = cluster.alive().map((m) => m.id as string)
    // The observations are in time order and the last one per peer is at hand: agreement now is the failover's end.
    const done = run(FAILOVER_BOUND_MS, true, () => {
      const first = lastSeen.get(survivors[0] ?? '')
      return survivors.every((id) => {
        const o = lastSeen.get(id)
        return o !== undefined && o.coordinator !== null && o.coordinator !== victim && !o.failoverInProgress && o.coordinator === first?.coordinator && o.epoch === first.epoch
      })
    })
    if (done) samples.push(clock.now() - killedAt)
    else timeouts++
    run(500, true)
    cluster.restart(victim)
    run(1000, true)
  }

  // Settle on a clean network and judge every ack against the final ledger.
  progress('settling')
  cluster.heal()
  cluster.network.setFaults(channelFaults({ ...spec.profile, delayMs: 0, jitterMs: 0, loss: 0 }, false))
  nextRequest = Infinity
  // Up to 15 s (virtual) until a live server holds a decision for every request it knows.
  let server: Server | undefined
  let decided: string[] = []
  let pending = 0
  for (let waited = 0; waited <= 15_000; waited += 500) {
    run(500, false)
    server = cluster.alive().find((m) => m.server !== undefined)?.server
    decided = []
    pending = 0
    if (server === undefined) continue
    // Requests behind the base checkpoint are decided; their records may be deleted.
    const covered = new Set(server.peer.ledger.base()?.done.ids() ?? [])
    decided.push(...covered)
    for (const id of server.peer.app.requests.keys()) {
      if (covered.has(id)) continue
      const d = server.peer.ledger.decisionFor(id)
      if (d === undefined) pending++
      else if (d.record.e === undefined) decided.push(id)
    }
    if (pending === 0) break
  }
  const acked = cluster.sent.filter((s) => s.ackAt !== undefined)
  const toAck = (s: (typeof acked)[number]): AckRecord => ({
    id: s.id, by: decisionTerm(s.decision ?? '')?.leader ?? String(s.decision), count: Number((s.reply as { count?: unknown } | undefined)?.count)
  })
  const acks: AckRecord[] = acked.map(toAck)
  // A simulated restart has an empty replica (no persistence, unlike `sship join --data-dir`): a
  // request whose sender crashed after sending may vanish with it, so only the others can be lost.
  const kept = acked.filter((s) => cluster.member(s.from).incarnation === s.incarnation).map(toAck)
  if (pending > 0) notes.push(`${pending} requests still undecided after settling`)
  const count = server?.getState().count
  const final = { count: typeof count === 'number' ? count : 0, decided }
  const ledger = { ...checkLedger(acks, final), lost: checkLedger(kept, final).lost }
  return {
    mode: 'sim', profile: spec.profile.name, peers: spec.peers, seed: spec.seed, minutes: spec.quietMs / 60_000,
    falseRoleChanges: falseChanges, roleChanges: changes.map((c) => ({ ...c, at: Math.round(c.at - quietStart) })),
    kills, failoverMs: samples.map(Math.round), failoverTimeouts: timeouts,
    ...ledger, cuts, freezes, notes, wallSeconds: Math.round((performance.now() - wallStart) / 100) / 10
  }
}
