/**
 * `npm run scenario -- <failover|failback|partition> [--peers N] [--servers K] [--seed S]`
 *
 * Runs an app on the in-memory network under virtual time, injects the fault, keeps clients
 * sending, and prints as its last line one JSON object with what it measured (virtual ms).
 */
import { parseArgs } from 'node:util'
import { Cluster, checkCluster, tally, type Member } from '@sship/core/testing'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    peers: { type: 'string', default: '10' },
    servers: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'send-every': { type: 'string', default: '200' }
  }
})
const kind = positionals[0] ?? 'failover'
const peers = Number(values.peers)
const seed = Number(values.seed)
const servers = Math.max(2, Math.min(peers, Number(values.servers ?? Math.min(peers, 5))))
const sendEvery = Number(values['send-every'])
if (!['failover', 'failback', 'partition'].includes(kind) || !(peers >= 2) || !Number.isSafeInteger(seed)) {
  console.error('usage: npm run scenario -- <failover|failback|partition> [--peers N>=2] [--servers K] [--seed S] [--send-every ms]')
  process.exit(2)
}

const c = new Cluster({ seed, servers, clients: peers - servers }).start()
const senders = (): Member[] => {
  const clients = c.alive().filter((m) => !m.eligible)
  return clients.length > 0 ? clients : c.alive()
}
/** Advances `ms` of virtual time while every sender sends about every `sendEvery` ms. */
function runSending(ms: number): void {
  const end = c.clock.now() + ms
  while (c.clock.now() < end) {
    for (const m of senders()) if (c.random.next() < 10 / sendEvery) c.send(m.id)
    c.run(10)
  }
}
const leaderOf = (): string | undefined => c.leaders()[0]?.id
const everyoneFollows = (id: string): boolean => c.alive().every((m) => m.connection?.getSnapshot().coordinator === id)
/** Virtual ms until the first decision of a term with epoch above `epoch`, led by `by` if given. */
function firstDecisionAfter(since: number, epoch: number, by?: string): number | null {
  let first: number | null = null
  for (const d of c.decisions.values()) {
    if (d.t < since || d.epoch <= epoch || (by !== undefined && d.leader !== by)) continue
    if (first === null || d.t < first) first = d.t
  }
  return first === null ? null : Math.round((first - since) * 10) / 10
}
const epochNow = (): number => c.alive()[0]?.connection?.getSnapshot().epoch ?? 0
const progress = (msg: string): void => void process.stderr.write(`[scenario ${kind}] t=${Math.round(c.clock.now())}ms ${msg}\n`)

c.run(1500)
progress(`${peers} peers (${servers} eligible), coordinator ${leaderOf()}`)
runSending(1000)
const out: Record<string, unknown> = { scenario: kind, peers, servers, seed }

if (kind === 'failover' || kind === 'failback') {
  const victim = leaderOf()
  if (victim === undefined) throw new Error('no coordinator before the kill')
  const epoch = epochNow()
  const killedAt = c.clock.now()
  c.crash(victim)
  progress(`killed coordinator ${victim} (epoch ${epoch})`)
  let repointedMs: number | null = null
  const end = killedAt + 3000
  while (c.clock.now() < end) {
    runSending(10)
    const next = leaderOf()
    if (repointedMs === null && next !== undefined && next !== victim && everyoneFollows(next)) repointedMs = Math.round(c.clock.now() - killedAt)
  }
  const successor = leaderOf()
  progress(`successor ${successor}`)
  out.failoverMs = firstDecisionAfter(killedAt, epoch)
  out.repointedMs = repointedMs
  out.successor = successor ?? null
  if (kind === 'failback') {
    c.restart(victim)
    const backAt = c.clock.now()
    progress(`restarted ${victim}`)
    runSending(6000)
    out.failbackMs = firstDecisionAfter(backAt, epochNow() - 1, victim)
    out.servingAfterFailback = leaderOf() ?? null
  }
} else {
  const leader = leaderOf() as string
  const ids = c.members.map((m) => m.id)
  const other = ids.filter((id) => id !== leader)
  // Every other peer joins the coordinator's side, so both sides hold eligible peers and clients.
  const half = other.filter((_, i) => i % 2 === 1)
  const groups = [[leader, ...half], other.filter((id) => !half.includes(id))]
  c.partition(groups)
  progress(`partitioned ${groups.map((g) => g.join(',')).join(' | ')}`)
  runSending(3000)
  out.coordinatorsDuringPartition = c.leaders().length
  // Every replica reports each re-decided request; count each once.
  const conflicts = new Set<string>()
  for (const m of c.alive()) m.connection?.onConflict((x) => conflicts.add(x.decision.key))
  c.heal()
  const healedAt = c.clock.now()
  let healMs: number | null = null
  while (c.clock.now() < healedAt + 3000) {
    runSending(10)
    const one = c.leaders()
    if (healMs === null && one.length === 1 && everyoneFollows(one[0]!.id)) healMs = Math.round(c.clock.now() - healedAt)
  }
  out.healMs = healMs
  out.conflicts = conflicts.size
}
c.run(6000)
const t = tally(c)
out.coordinatorsAfter = c.leaders().length
Object.assign(out, { sent: t.sent, acked: t.acked, processed: t.processed, duplicates: t.duplicates, lost: t.lost })
const problems = checkCluster(c)
out.problems = problems
progress(problems.length === 0 ? 'all checks passed' : `PROBLEMS: ${problems.join('; ')}`)
console.log(JSON.stringify(out))
process.exitCode = problems.length === 0 ? 0 : 1
