/**
 * `npm run test:hostile` (issue [J]): the attacks of the table replayed by real processes
 * in network namespaces this script creates (prefix `sship-hx-`), against real `sship join` peers,
 * the demo host (HTTP, `/sship` hub, signaling, LAN) and its signaling server, while an honest
 * producer sends a request every 200 ms and an honest client probes the host.
 *
 * Lab: hosts 1-3 `sship join hostile-app` (open room; hx-1 leads, hx-3 produces), 4 the demo
 * host, 5 the attacker, 6 the honest prober, 7-8 two `sship join` peers in a room with a secret
 * (the hijack attacks claim their GUIDs too). Every attack is one bounded run of attacker.ts in
 * the attacker's namespace; only the lab's processes are targets. Prints a table on stderr and,
 * last on stdout, one JSON object
 *   {"attacks","crashed","maxAckGapMs","maxRssMb","logLinesPerAttackMax","lost","duplicates",...}
 * Exit code 1 if a target is missed (crashed > 0, an ack gap or a host probe gap over 2 s, RSS over 512 MB, more than
 * 100 log lines in one attack, lost or duplicated requests, or the room with a secret split).
 * Needs root (network namespaces).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { CliProcess, REPO_ROOT } from '@sship/lan/testing'
import { NetnsLab, removeLeftoverNamespaces } from '../../packages/lan/test/support/NetnsLab.js'
import { tally } from '../soak/tally.js'
import type { AttackSpec } from './attacker.js'

const PREFIX = 'sship-hx-'
const APP = 'hostile-app'
const SECRET_APP = 'hostile-secret'
const IDS = ['hx-1', 'hx-2', 'hx-3'] as const
const SECRET_IDS = ['hs-1', 'hs-2'] as const
const SEND_EVERY_MS = 200
const HOST_PORT = 8080
const SIGNALING_PORT = 8081
const TARGETS = { ackGapMs: 2000, rssMb: 512, logLines: 100 }
const ATTACKS: readonly { readonly attack: string; readonly seconds: number }[] = [
  { attack: 'bad-paths', seconds: 3 },
  { attack: 'step1-flood-peer', seconds: 4 },
  { attack: 'step1-flood-hub', seconds: 4 },
  { attack: 'signaling-subscribe', seconds: 4 },
  { attack: 'signaling-publish', seconds: 4 },
  { attack: 'hello-hijack', seconds: 4 },
  { attack: 'hijack-goodbyes', seconds: 8 },
  { attack: 'mdns-answers', seconds: 4 },
  { attack: 'mdns-queries', seconds: 4 },
  { attack: 'garbage-frames', seconds: 4 },
  { attack: 'slowloris', seconds: 14 }
]
const SETTLE_MS = 2000

const t0 = performance.now()
const log = (line: string): void => void process.stderr.write(`[hostile ${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}\n`)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/** A script of this folder in a namespace, its stdout lines timed (harness performance.now()). */
class Child {
  readonly lines: { at: number; text: string }[] = []
  readonly proc: ChildProcess
  exitedAt: number | undefined
  constructor(readonly label: string, ns: string, script: string, args: readonly string[]) {
    this.proc = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', joinPath(REPO_ROOT, 'scripts/hostile', script), ...args], {
      cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe']
    })
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      let buf = ''
      stream?.on('data', (d: Buffer) => {
        buf += d.toString()
        let nl: number
        while ((nl = buf.indexOf('\n')) >= 0) {
          this.lines.push({ at: performance.now(), text: buf.slice(0, nl) })
          buf = buf.slice(nl + 1)
        }
      })
    }
    this.proc.on('exit', () => { this.exitedAt = performance.now() })
  }
  json(): Record<string, unknown>[] {
    return this.lines.flatMap((l) => {
      try {
        return [JSON.parse(l.text) as Record<string, unknown>]
      } catch {
        return []
      }
    })
  }
  stop(): void {
    this.proc.stdin?.end()
    setTimeout(() => this.proc.kill('SIGKILL'), 3000).unref()
  }
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
    return kb / 1024
  } catch {
    return 0
  }
}

/** Largest gap between consecutive times in [from, to] (the window's edges count as events). */
function maxGap(times: readonly number[], from: number, to: number): number {
  const inside = [from, ...times.filter((t) => t > from && t < to), to]
  let gap = 0
  for (let i = 1; i < inside.length; i++) gap = Math.max(gap, (inside[i] ?? 0) - (inside[i - 1] ?? 0))
  return Math.round(gap)
}

await removeLeftoverNamespaces(PREFIX)
const lab = await NetnsLab.create(8, PREFIX)
const root = mkdtempSync(joinPath(tmpdir(), 'sship-hostile-'))
const peers: CliProcess[] = []
const secretPeers: CliProcess[] = []
const children: Child[] = []
const killAll = (): void => {
  for (const p of [...peers, ...secretPeers]) p.kill('SIGKILL')
  for (const c of children) c.proc.kill('SIGKILL')
}
process.on('exit', killAll)
let exitCode = 1
try {
  const addr = (i: number): string => lab.hosts[i]?.address ?? ''
  const ns = (i: number): string => lab.hosts[i]?.ns ?? ''
  const timing = ['--heartbeat', '100', '--suspect', '1000', '--hold-down', '3000']
  for (const [i, id] of IDS.entries()) {
    peers.push(new CliProcess(id, ['join', APP, '--interface', addr(i), '--id', id, ...timing,
      ...(id === 'hx-3' ? ['--send-every', String(SEND_EVERY_MS)] : []), '--exit-after', '400000'], { netns: ns(i) }))
    if (i === 0) await waitFor('hx-1 to lead', () => peers[0]?.status()?.role === 'leader', 30_000)
  }
  const secretFile = joinPath(root, 'room.key')
  writeFileSync(secretFile, 'hostile lab secret 7c1e0b9a4f\n', { mode: 0o600 })
  for (const [k, id] of SECRET_IDS.entries()) {
    secretPeers.push(new CliProcess(id, ['join', SECRET_APP, '--interface', addr(6 + k), '--id', id, ...timing, '--secret-file', secretFile, '--exit-after', '400000'], { netns: ns(6 + k) }))
    if (k === 0) await waitFor('hs-1 to lead', () => secretPeers[0]?.status()?.role === 'leader', 30_000)
  }
  const dist = joinPath(root, 'dist')
  mkdirSync(dist)
  writeFileSync(joinPath(dist, 'index.html'), '<!doctype html><title>queue</title>\n')
  const host = new Child('host', ns(3), 'hostProcess.ts', [addr(3), String(HOST_PORT), String(SIGNALING_PORT), dist])
  children.push(host)
  const all = [...peers, ...secretPeers]
  await waitFor('every peer linked, the host serving', () =>
    peers.every((p) => p.status()?.coordinator === 'hx-1' && p.status()?.linked.length === IDS.length - 1) &&
    secretPeers.every((p) => p.status()?.coordinator != null && p.status()?.coordinator === secretPeers[0]?.status()?.coordinator &&
      p.status()?.linked.length === SECRET_IDS.length - 1 && p.status()?.failoverInProgress === false) &&
    host.json().some((r) => r.type === 'ready'), 60_000)
  const prober = new Child('prober', ns(5), 'prober.ts', [`${addr(3)}:${HOST_PORT}`, `${addr(3)}:${SIGNALING_PORT}`])
  children.push(prober)
  const producer = peers[2] as CliProcess
  await waitFor('the producer to get acks and the prober answers', () => producer.all('ack').length >= 3 && prober.json().length >= 4, 30_000)
  log(`lab up: ${lab.name}; attacking`)

  const maxRss = new Map<string, number>()
  const rssTimer = setInterval(() => {
    for (const p of all) maxRss.set(p.label, Math.max(maxRss.get(p.label) ?? 0, rssMb(p.pid)))
    maxRss.set('host', Math.max(maxRss.get('host') ?? 0, rssMb(host.proc.pid)))
  }, 250)
  const addresses = (list: readonly CliProcess[]): string[] => list.map((p) => String(p.all('ready')[0]?.address ?? ''))
  const rows: Record<string, unknown>[] = []
  const epochsBefore = secretPeers.map((p) => p.status()?.epoch ?? 0)
  const secretCoordinator = secretPeers[0]?.status()?.coordinator
  let secretSplitSamples = 0
  const splitTimer = setInterval(() => {
    if (secretPeers.some((p) => (p.status()?.linked.length ?? 0) < SECRET_IDS.length - 1 || p.status()?.coordinator !== secretCoordinator)) secretSplitSamples++
  }, 100)
  const attacksStart = performance.now()
  for (const [n, a] of ATTACKS.entries()) {
    const start = performance.now()
    const startDate = Date.now()
    const logBefore = all.map((p) => p.records.length)
    const hostLinesBefore = host.lines.length
    const hijack = a.attack === 'hello-hijack' || a.attack === 'hijack-goodbyes'
    const spec: AttackSpec = {
      attack: a.attack, seconds: a.seconds,
      peers: hijack ? [...addresses(peers), ...addresses(secretPeers)] : addresses(peers), peerIds: hijack ? [...IDS, ...SECRET_IDS] : [...IDS],
      apps: [...IDS.map(() => APP), ...SECRET_IDS.map(() => SECRET_APP)],
      app: APP, host: `${addr(3)}:${HOST_PORT}`, hostApp: 'sship-queue', signaling: `${addr(3)}:${SIGNALING_PORT}`,
      self: addr(4), mdnsPort: 5353, seed: n + 1
    }
    const attacker = new Child(a.attack, ns(4), 'attacker.ts', [JSON.stringify(spec)])
    await new Promise<void>((resolve) => {
      attacker.proc.on('exit', () => resolve())
      setTimeout(() => { attacker.proc.kill('SIGKILL'); resolve() }, (a.seconds + 20) * 1000).unref()
    })
    await sleep(SETTLE_MS)
    const end = performance.now()
    const logLines = all.reduce((sum, p, i) => sum + p.records.slice(logBefore[i]).filter((r) => r.record.type === 'error' || r.record.type === 'refused').length, 0) +
      host.lines.slice(hostLinesBefore).filter((l) => !l.text.startsWith('{')).length
    const ackTimes = producer.records.filter((r) => r.record.type === 'ack').map((r) => r.at)
    const probes = prober.json()
    const probeGap = (what: string): number => maxGap(probes.filter((p) => p.what === what).map((p) => Number(p.at)), startDate, Date.now())
    const result = attacker.json().at(-1) ?? { error: 'no result' }
    const row = {
      attack: a.attack, ackGapMs: maxGap(ackTimes, start, end), httpGapMs: probeGap('http'), signalingGapMs: probeGap('signaling'),
      logLines, coordinator: peers.map((p) => p.status()?.coordinator ?? null), result
    }
    rows.push(row)
    log(`${a.attack}: ack gap ${row.ackGapMs} ms, http gap ${row.httpGapMs} ms, signaling gap ${row.signalingGapMs} ms, ${logLines} log lines; ${JSON.stringify(result).slice(0, 300)}`)
  }
  const attacksEnd = performance.now()
  clearInterval(splitTimer)
  // After the attacks: the service keeps going for a while, then the ledger is checked.
  await sleep(3000)
  clearInterval(rssTimer)
  producer.command('stop-sending')
  await sleep(3000)
  const marks = peers.map((p) => p.records.length)
  for (const p of peers) p.command('report')
  await waitFor('reports', () => peers.every((p, i) => p.records.slice(marks[i]).some((r) => r.record.type === 'report')), 20_000).catch(() => undefined)
  const reports = peers.map((p, i) => p.records.slice(marks[i]).find((r) => r.record.type === 'report')?.record)
  const t = tally(peers.flatMap((p) => p.records.map((r) => r.record)), reports)
  const ackTimes = producer.records.filter((r) => r.record.type === 'ack').map((r) => r.at)
  const crashed = [...all.map((p) => !p.running), ...children.filter((c) => c === host || c === prober).map((c) => c.exitedAt !== undefined)].filter(Boolean).length
  const epochsAfter = secretPeers.map((p) => p.status()?.epoch ?? 0)
  const summary = {
    attacks: rows.length,
    crashed,
    maxAckGapMs: maxGap(ackTimes, attacksStart, attacksEnd + 3000),
    maxHostProbeGapMs: Math.max(...rows.map((r) => Math.max(Number(r.httpGapMs), Number(r.signalingGapMs)))),
    maxRssMb: Math.round(Math.max(...maxRss.values())),
    logLinesPerAttackMax: Math.max(...rows.map((r) => Number(r.logLines))),
    lost: t.lost,
    duplicates: t.duplicates,
    acked: t.acked,
    converged: t.converged,
    failovers: t.failovers,
    secretRoomSplitMs: secretSplitSamples * 100,
    secretRoomEpochs: { before: epochsBefore, after: epochsAfter },
    rssMbByProcess: Object.fromEntries([...maxRss].map(([k, v]) => [k, Math.round(v)])),
    table: rows
  }
  const ok = summary.crashed === 0 && summary.maxAckGapMs <= TARGETS.ackGapMs && summary.maxHostProbeGapMs <= TARGETS.ackGapMs && summary.maxRssMb <= TARGETS.rssMb &&
    summary.logLinesPerAttackMax <= TARGETS.logLines && summary.lost === 0 && summary.duplicates === 0 && summary.secretRoomSplitMs === 0 && t.converged
  exitCode = ok ? 0 : 1
  log(ok ? 'every target met' : 'a target was missed (see the JSON)')
  process.stdout.write(`${JSON.stringify(summary)}\n`)
} catch (error) {
  log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
  for (const p of [...peers, ...secretPeers]) log(`${p.label}: ${JSON.stringify(p.describe()).slice(0, 600)}`)
  for (const c of children) log(`${c.label}: ${c.lines.slice(-5).map((l) => l.text).join(' | ')}`)
} finally {
  killAll()
  await lab.destroy()
  rmSync(root, { recursive: true, force: true })
}
process.exit(exitCode)
