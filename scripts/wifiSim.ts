/**
 * `npm run wifi-sim -- [--minutes M] [--peers 5,20] [--profiles clean,wifi,busy,bad,sleepy,stalls] [--kills K] [--seed S] [--timing JSON] [--lan]`
 *
 * Role stability on the in-memory network under virtual time (so CPU load does not matter):
 * per profile and room size, M virtual minutes without kills (every claim after the first is a
 * false role change), then K crashes of the coordinator (failover from the crash until every
 * survivor follows one new coordinator). Clients send requests the whole time; lost and
 * duplicated requests are counted. Prints a table, and as its last line one JSON object.
 *
 * Profiles (one-way delay per frame; the memory network draws it uniformly, and a share of
 * frames takes up to twice the maximum extra, a heavy tail):
 * clean 1-5 ms; wifi 0-60 ms, 3 % loss; busy 0-100 ms, 5 % loss; bad 0-300 ms, 10 % loss;
 * sleepy clean plus, every 20-40 s, one random peer frozen for 200-800 ms; stalls 5-100 ms,
 * 10 % loss, and every 5-15 s one random peer frozen for 400 ms (the in-memory case).
 *
 * `--lan` models `sship join` on a LAN: the network closes a killed peer's links (`closesOnCrash`,
 * as TCP does), kills are `Cluster.kill` (SIGKILL) instead of silent crashes (power lost), and
 * followers give silence on an open link `timing.stallMs` before they suspect.
 *
 * `SSHIP_TESTING=<path to testing/index.ts>` runs it against another tree (for before/after).
 */
import { parseArgs } from 'node:util'
import type { Cluster as ClusterType, tally as tallyFn } from '@sship/core/testing'

interface Profile {
  readonly latencyMs: { min: number; max: number }
  readonly dropRate: number
  readonly reorderRate: number
  /** Every `[min, max]` ms one random peer is frozen for `[stallMin, stallMax]` ms. */
  readonly stalls?: { everyMin: number; everyMax: number; stallMin: number; stallMax: number }
}

const PROFILES: Record<string, Profile> = {
  clean: { latencyMs: { min: 1, max: 5 }, dropRate: 0, reorderRate: 0 },
  wifi: { latencyMs: { min: 0, max: 60 }, dropRate: 0.03, reorderRate: 0.05 },
  busy: { latencyMs: { min: 0, max: 100 }, dropRate: 0.05, reorderRate: 0.05 },
  bad: { latencyMs: { min: 0, max: 300 }, dropRate: 0.1, reorderRate: 0.05 },
  sleepy: { latencyMs: { min: 1, max: 5 }, dropRate: 0, reorderRate: 0, stalls: { everyMin: 20_000, everyMax: 40_000, stallMin: 200, stallMax: 800 } },
  stalls: { latencyMs: { min: 5, max: 100 }, dropRate: 0.1, reorderRate: 0, stalls: { everyMin: 5_000, everyMax: 15_000, stallMin: 400, stallMax: 400 } }
}

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    peers: { type: 'string', default: '5,20' },
    profiles: { type: 'string', default: Object.keys(PROFILES).join(',') },
    kills: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    timing: { type: 'string', default: '{}' },
    lan: { type: 'boolean', default: false }
  }
})
const testing = (await import(process.env.SSHIP_TESTING ?? '@sship/core/testing')) as { Cluster: typeof ClusterType; tally: typeof tallyFn }
const { Cluster, tally } = testing

const minutes = Number(values.minutes)
const kills = Number(values.kills)
const seed = Number(values.seed)
const timing = JSON.parse(values.timing) as Record<string, number>
const sizes = values.peers.split(',').map(Number)
const names = values.profiles.split(',')
for (const n of names) if (PROFILES[n] === undefined) throw new Error(`unknown profile ${n}; known: ${Object.keys(PROFILES).join(', ')}`)

interface Row { name: string; peers: number; minutes: number; falseRoleChanges: number; failoverP50Ms: number | null; failoverP99Ms: number | null; lost: number; duplicates: number }

function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? null
}

function run(name: string, peers: number): Row {
  const p = PROFILES[name]!
  const clients = Math.max(1, Math.round(peers / 5))
  const c = new Cluster({ seed, servers: peers - clients, clients, timing, closesOnCrash: values.lan, faults: { latencyMs: p.latencyMs, dropRate: 0, reorderRate: 0 } }).start()
  c.run(3000)
  c.network.setFaults({ latencyMs: p.latencyMs, dropRate: p.dropRate, reorderRate: p.reorderRate })
  const claims = (): number => c.events.filter((e) => e.event.type === 'claimed').length
  const before = claims()
  const end = c.clock.now() + minutes * 60_000
  let nextStall = p.stalls === undefined ? Infinity : c.clock.now() + p.stalls.everyMin + c.random.next() * (p.stalls.everyMax - p.stalls.everyMin)
  let nextSend = c.clock.now()
  const sendFrom = (): void => {
    const senders = c.alive().filter((m) => !m.eligible)
    const from = senders[Math.floor(c.random.next() * senders.length)]
    if (from !== undefined) c.send(from.id)
  }
  while (c.clock.now() < end) {
    const step = Math.min(nextStall, nextSend, end) - c.clock.now()
    c.run(Math.max(0, step))
    if (c.clock.now() >= nextSend) {
      sendFrom()
      nextSend += 500
    }
    if (p.stalls !== undefined && c.clock.now() >= nextStall) {
      const victims = c.alive()
      const v = victims[Math.floor(c.random.next() * victims.length)]
      if (v !== undefined) c.stall(v.id, p.stalls.stallMin + c.random.next() * (p.stalls.stallMax - p.stalls.stallMin))
      nextStall += p.stalls.everyMin + c.random.next() * (p.stalls.everyMax - p.stalls.everyMin)
    }
  }
  const falseRoleChanges = claims() - before
  const failovers: number[] = []
  for (let k = 0; k < kills; k++) {
    const leader = c.leaders()[0]
    if (leader === undefined) {
      c.run(2000)
      continue
    }
    if (values.lan) c.kill(leader.id)
    else c.crash(leader.id)
    const took = c.runUntil(() => {
      const ls = c.leaders()
      const l = ls[0]
      return ls.length === 1 && c.alive().every((m) => m.connection?.getSnapshot().coordinator === l!.id)
    }, 20_000, 5)
    if (took >= 0) failovers.push(took)
    for (let i = 0; i < 4; i++) {
      sendFrom()
      c.run(500)
    }
    c.restart(leader.id)
    c.run(6000)
  }
  c.heal()
  c.network.setFaults({ dropRate: 0, reorderRate: 0, latencyMs: { min: 1, max: 5 } })
  c.run(10_000)
  const t = tally(c)
  return { name, peers, minutes, falseRoleChanges, failoverP50Ms: quantile(failovers, 0.5), failoverP99Ms: quantile(failovers, 0.99), lost: t.lost, duplicates: t.duplicates }
}

const rows: Row[] = []
console.log('profile  peers  min  falseRoleChanges  failoverP50  failoverP99  lost  dup')
for (const name of names) {
  for (const peers of sizes) {
    const r = run(name, peers)
    rows.push(r)
    console.log(`${r.name.padEnd(8)} ${String(r.peers).padStart(5)} ${String(r.minutes).padStart(4)} ${String(r.falseRoleChanges).padStart(17)} ${String(r.failoverP50Ms).padStart(12)} ${String(r.failoverP99Ms).padStart(12)} ${String(r.lost).padStart(5)} ${String(r.duplicates).padStart(4)}`)
  }
}
console.log(JSON.stringify({ falseRoleChanges: rows.reduce((a, r) => a + r.falseRoleChanges, 0), profiles: rows }))
