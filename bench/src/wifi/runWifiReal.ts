import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@sship/core'
import type { CliRecord } from '@sship/lan/testing'
import { checkLedger } from './ledgerCheck.js'
import { agreed, mostFollowed, RealPeer } from './realPeers.js'
import { failoverMs, falseRoleChanges, roleChanges, type Window } from './roleTimeline.js'
import { WifiLab } from './WifiLab.js'
import type { WifiRunSpec } from './wifiPlan.js'
import type { WifiRunResult } from './WifiRunResult.js'
import { CUT_MS, CUT_PERIOD_MS, EXCUSED_AFTER_MS, FIRST_FREEZE_MS, FREEZE_EVERY_MS, FREEZE_FOR_MS } from './WifiProfile.js'

/** Requests per second over the whole room, spread over every peer (each is a producer). */
const ROOM_REQUESTS_PER_SECOND = 10
const JOIN_BOUND_MS = 90_000
/** Peers started together while joining. */
const JOIN_BATCH = 5
const FAILOVER_BOUND_MS = 30_000
const SETTLE_BOUND_MS = 60_000

/** What a run registers so that a SIGINT can end it (see runWifi). */
export interface Cleanup {
  add(what: { kill(): void }): void
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function waitUntil<T>(check: () => T | undefined | false, boundMs: number, stepMs = 20): Promise<T | undefined> {
  const until = performance.now() + boundMs
  for (;;) {
    const v = check()
    if (v !== undefined && v !== false) return v
    if (performance.now() > until) return undefined
    await sleep(stepMs)
  }
}

/**
 * One real run: `spec.peers` `sship join` processes (default timing, mDNS) in namespaces joined
 * by the impairing switch. They join on a clean segment; then the profile's impairment is
 * applied for the phase without kills (with the `cut` profile's cuts or the `sleepy` profile's
 * freezes), then `spec.kills` SIGKILLs of the coordinator (each restarted with its GUID and data
 * directory once the others agreed), every peer sending `inc` requests the whole time. Finally the
 * senders stop, every replica reports its ledger, and acks are checked against it.
 */
export async function runWifiReal(spec: WifiRunSpec, cleanup: Cleanup, progress: (what: string) => void): Promise<WifiRunResult> {
  const wallStart = performance.now()
  const random = seededRandom(spec.seed)
  const uniform = (lo: number, hi: number): number => lo + random.next() * (hi - lo)
  const boundMs = JOIN_BOUND_MS + spec.quietMs + spec.kills * (FAILOVER_BOUND_MS + JOIN_BOUND_MS) + SETTLE_BOUND_MS
  const lab = await WifiLab.create(spec.peers, spec.seed, Math.ceil(boundMs / 1000) + 60)
  cleanup.add({ kill: () => lab.killSwitch() })
  const dirs = await mkdtemp(join(tmpdir(), 'sship-wifibench-'))
  const notes: string[] = []
  const peers = lab.hosts.map((h, i) => new RealPeer(i, `w${String(i + 1).padStart(2, '0')}`, h.ns, h.address, join(dirs, String(i)), Math.round((1000 * spec.peers) / ROOM_REQUESTS_PER_SECOND), boundMs))
  const track = (p: RealPeer): void => {
    const life = p.start()
    cleanup.add({ kill: () => life.kill('SIGKILL') })
  }
  try {
    // 1. Join on a clean segment: the first peer creates the app, then the others join.
    progress('joining')
    track(peers[0] as RealPeer)
    await waitUntil(() => peers[0]?.status()?.role === 'leader', JOIN_BOUND_MS)
    // A few at a time: 20 processes booting at once on two shared cores starve each other's mDNS and handshakes.
    for (let i = 1; i < peers.length; i += JOIN_BATCH) {
      const started = peers.slice(0, i + JOIN_BATCH)
      for (const p of started.slice(i)) track(p)
      await waitUntil(() => agreed(started), JOIN_BOUND_MS, 100)
    }
    if ((await waitUntil(() => agreed(peers), JOIN_BOUND_MS, 100)) === undefined) throw new Error(`the ${spec.peers} peers did not agree on a coordinator within ${JOIN_BOUND_MS / 1000} s: ${JSON.stringify(peers.map((p) => p.status()?.coordinator ?? null))}`)

    // 2. The phase without kills, under the profile's impairment.
    const { delayMs, jitterMs, loss } = spec.profile
    await lab.impair({ delayMs, jitterMs, loss })
    const quietStart = performance.now()
    const quietEnd = quietStart + spec.quietMs
    const excused: Window[] = []
    let cuts = 0
    let freezes = 0
    let nextCut = spec.profile.cut ? quietStart + 5000 : Infinity
    let nextFreeze = spec.profile.sleepy ? quietStart + uniform(FIRST_FREEZE_MS[0], FIRST_FREEZE_MS[1]) : Infinity
    while (performance.now() < quietEnd) {
      const now = performance.now()
      progress(`no kills: ${Math.round((now - quietStart) / 1000)}/${Math.round(spec.quietMs / 1000)} s`)
      if (now >= nextCut && now + CUT_MS < quietEnd) {
        const victim = Math.max(0, peers.findIndex((p) => p.id === mostFollowed(peers)))
        await lab.cut(victim)
        const cutAt = performance.now()
        await sleep(CUT_MS)
        await lab.heal(victim)
        excused.push({ from: cutAt, to: performance.now() + EXCUSED_AFTER_MS })
        cuts++
        nextCut = performance.now() + CUT_PERIOD_MS - CUT_MS
        continue
      }
      if (now >= nextFreeze) {
        const victim = peers[Math.floor(random.next() * peers.length)]
        victim?.life?.kill('SIGSTOP')
        await sleep(uniform(FREEZE_FOR_MS[0], FREEZE_FOR_MS[1]))
        victim?.life?.kill('SIGCONT')
        freezes++
        nextFreeze = performance.now() + uniform(FREEZE_EVERY_MS[0], FREEZE_EVERY_MS[1])
        continue
      }
      await sleep(Math.max(10, Math.min(1000, nextCut - now, nextFreeze - now, quietEnd - now)))
    }
    const observations = (): ReturnType<RealPeer['observations']> => peers.flatMap((p) => p.observations())
    const changes = roleChanges(observations(), quietStart, quietEnd, excused)
    const falseChanges = falseRoleChanges(observations(), quietStart, quietEnd, excused)

    // 3. Kills of the coordinator, under the same impairment.
    const samples: number[] = []
    let timeouts = 0
    let kills = 0
    const killTimes: Array<{ at: number; peer: string }> = []
    for (let k = 0; k < spec.kills; k++) {
      progress(`kill ${k + 1}/${spec.kills}`)
      // Kill a coordinator every peer has followed for a second (under loss, agreement can flicker).
      let victim: RealPeer | undefined
      for (let attempt = 0; attempt < 10 && victim === undefined; attempt++) {
        const before = await waitUntil(() => agreed(peers), JOIN_BOUND_MS, 50)
        if (before === undefined) break
        await sleep(1000)
        const now = agreed(peers)
        if (now?.coordinator === before.coordinator && now.epoch === before.epoch) victim = peers.find((p) => p.id === now.coordinator)
      }
      if (victim === undefined) {
        notes.push(`kill ${k + 1}: the peers did not agree on one coordinator for a second; kills stopped`)
        break
      }
      const killedAt = performance.now()
      victim.life?.kill('SIGKILL')
      killTimes.push({ at: killedAt, peer: victim.id })
      kills++
      const survivors = peers.filter((p) => p !== victim).map((p) => p.id)
      const ms = await waitUntil(() => failoverMs(peers.flatMap((p) => p.observationsSince(killedAt)), victim.id, killedAt, survivors) ?? undefined, FAILOVER_BOUND_MS, 50)
      if (ms === undefined) timeouts++
      else samples.push(ms)
      await victim.life?.exited
      await sleep(500)
      track(victim)
    }

    // 4. Stop sending; wait until every replica holds the same, fully decided ledger.
    // The measured phases are over: settle on a clean segment, so that the ledger check does not wait on loss.
    progress('settling')
    await lab.impair({ delayMs: 0, jitterMs: 0, loss: 0 })
    await waitUntil(() => agreed(peers), JOIN_BOUND_MS, 100)
    for (const p of peers) p.life?.command('stop-sending')
    await sleep(2000)
    let reports: CliRecord[] = []
    const settled = await waitUntil(() => {
      reports = peers.map((p) => p.life?.all('report').at(-1) ?? { type: 'none' })
      const same = reports.every((r) => r.pending === 0 && r.count === reports[0]?.count && JSON.stringify(r.decided) === JSON.stringify(reports[0]?.decided))
      if (!same) for (const p of peers) p.life?.command('report')
      return same
    }, SETTLE_BOUND_MS, 500)
    if (settled === undefined) notes.push(`the replicas did not settle on one ledger within ${SETTLE_BOUND_MS / 1000} s: ${JSON.stringify(reports.map((r) => ({ count: r.count, pending: r.pending, decided: (r.decided as unknown[] | undefined)?.length })))}`)
    const final = reports.find((r) => Array.isArray(r.decided)) ?? { type: 'none', count: 0, decided: [] }
    const ledger = checkLedger(peers.flatMap((p) => p.acks()), { count: Number(final.count), decided: final.decided as string[] })
    if (process.env.SSHIP_WIFI_TRACE !== undefined) {
      // Debugging aid: every status change and kill of the run, relative to the phase without kills.
      const { writeFile } = await import('node:fs/promises')
      await writeFile(`${process.env.SSHIP_WIFI_TRACE}-${spec.profile.name}-${spec.peers}.json`, JSON.stringify({ quietStart, kills: killTimes.map((k) => ({ ...k, at: Math.round(k.at - quietStart) })), observations: observations().sort((a, b) => a.at - b.at).map((o) => ({ ...o, at: Math.round(o.at - quietStart) })) }))
    }
    for (const p of peers) p.life?.command('quit')
    await Promise.race([Promise.all(peers.map((p) => p.life?.exited)), sleep(5000)])
    return {
      mode: 'real', profile: spec.profile.name, peers: spec.peers, seed: spec.seed, minutes: spec.quietMs / 60_000,
      falseRoleChanges: falseChanges, roleChanges: changes.map((c) => ({ ...c, at: Math.round(c.at - quietStart) })),
      kills, failoverMs: samples.map(Math.round), failoverTimeouts: timeouts,
      ...ledger, cuts, freezes, notes, wallSeconds: Math.round((performance.now() - wallStart) / 100) / 10
    }
  } finally {
    for (const p of peers) p.killAll()
    await lab.destroy()
    await rm(dirs, { recursive: true, force: true }).catch(() => undefined)
  }
}
