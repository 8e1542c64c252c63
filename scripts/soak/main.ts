/**
 * `npm run soak -- (--minutes M | --seconds S) [--peers N] [--seed S] [--producers K] [--send-every ms] [--secret]`
 *
 * Chaos soak of real `sship join` processes on loopback (issue [G]). Starts `--peers` processes
 * (each with its own --id and --data-dir in a temp dir, so a restart keeps its GUID, document and
 * pending requests; the last `--producers` of them also `--send-every` `{op:'inc'}` to the built-in
 * counter), then for the given time a seeded chaos loop
 *   - SIGKILLs a peer (the current coordinator, read from the status records, half of the time)
 *     and restarts it a few seconds later with the same --id/--data-dir, and
 *   - "partitions" a peer: the CLI has no partition hook, so the soak SIGSTOPs the process for a
 *     few seconds and SIGCONTs it. A stopped peer sends and answers nothing (heartbeats, requests,
 *     mDNS), so to the others it is cut off, while its sockets stay open; on SIGCONT it resumes with
 *     a stale view, as a peer behind a healed partition would. (This isolates one peer from all the
 *     others; it cannot split the group into two live halves.)
 * With `--secret` the peers form a room with a secret (`sship join --secret-file`, a file of the
 * soak's temp dir): every link is authenticated and encrypted, and restarts re-run the handshake.
 * Then it stops the chaos, restarts/resumes every peer, stops the senders, waits until every replica
 * reports the same fully decided ledger (`report` on --control-stdin), and prints progress on
 * stderr and, last on stdout, one JSON line:
 *   {minutes, peers, kills, partitions, failovers, sent, acked, lost, duplicates, converged, ...,
 *    secure, refused} (refused: links refused for a different room secret; 0 in a healthy run)
 * Exit code 1 if lost > 0, duplicates > 0 or not converged (2 on a usage error).
 *
 * Network: loopback only (--interface 127.0.0.1, mDNS on a private free UDP port). Every wait is
 * bounded by the duration plus fixed budgets; every child is SIGKILLed at the end, even on error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { parseArgs } from 'node:util'
import { seededRandom } from '@sship/core/internals'
import { CliProcess, freeUdpPort, type CliRecord } from '@sship/lan/testing'
import { tally } from './tally.js'

const APP = 'soak-app'
const STARTUP_BUDGET_MS = 90_000
const SETTLE_BUDGET_MS = 90_000
const GRACE_MS = 30_000

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' }, seconds: { type: 'string' }, peers: { type: 'string', default: '12' },
    seed: { type: 'string', default: '1' }, producers: { type: 'string' }, 'send-every': { type: 'string', default: '250' },
    heartbeat: { type: 'string', default: '100' }, suspect: { type: 'string', default: '1000' }, 'hold-down': { type: 'string', default: '3000' },
    keep: { type: 'boolean', default: false }, secret: { type: 'boolean', default: false }
  }
})
const num = (v: string | undefined): number => (v === undefined ? NaN : Number(v))
const durationMs = values.seconds !== undefined ? num(values.seconds) * 1000 : num(values.minutes ?? '10') * 60_000
const peerCount = num(values.peers)
const seed = num(values.seed)
const producerCount = values.producers !== undefined ? num(values.producers) : Math.max(1, Math.ceil(peerCount / 3))
const sendEvery = num(values['send-every'])
const timing = { heartbeat: num(values.heartbeat), suspect: num(values.suspect), holdDown: num(values['hold-down']) }
if (!(durationMs > 0) || !Number.isInteger(peerCount) || peerCount < 2 || !Number.isSafeInteger(seed) ||
    !Number.isInteger(producerCount) || producerCount < 1 || producerCount > peerCount || !(sendEvery >= 1) ||
    !Object.values(timing).every((t) => Number.isInteger(t) && t > 0)) {
  console.error('usage: npm run soak -- (--minutes M | --seconds S) [--peers N>=2] [--seed S] [--producers K] [--send-every ms] ' +
    '[--heartbeat ms] [--suspect ms] [--hold-down ms] [--secret] [--keep]')
  process.exit(2)
}

const random = seededRandom(seed)
const uniform = (lo: number, hi: number): number => lo + random.next() * (hi - lo)
const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(random.next() * xs.length)]
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const t0 = performance.now()
const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`
const log = (line: string): void => void process.stderr.write(`[soak ${elapsed()}] ${line}\n`)
const hardDeadline = t0 + STARTUP_BUDGET_MS + durationMs + SETTLE_BUDGET_MS + GRACE_MS

/** One peer slot: a fixed --id/--data-dir, and every life (process) it had. */
interface Slot {
  readonly id: string
  readonly dataDir: string
  readonly producer: boolean
  readonly lives: CliProcess[]
  killed: boolean
}
const current = (s: Slot): CliProcess | undefined => s.lives.at(-1)
const up = (s: Slot): boolean => !s.killed && current(s)?.running === true && current(s)?.paused !== true

const root = mkdtempSync(joinPath(tmpdir(), 'sship-soak-'))
const slots: Slot[] = Array.from({ length: peerCount }, (_, i) => ({
  id: `soak-${i + 1}`, dataDir: joinPath(root, `peer-${i + 1}`), producer: i >= peerCount - producerCount, lives: [], killed: false
}))
const allLives = (): CliProcess[] => slots.flatMap((s) => s.lives)
const secretFile = joinPath(root, 'room.secret')
// The secret comes from its own seeded PRNG, so --secret does not change the chaos schedule of a seed.
const secretRandom = seededRandom((seed ^ 0x5ec2e7) >>> 0 || 1)
if (values.secret) writeFileSync(secretFile, `soak room ${seed} ${Array.from({ length: 4 }, () => secretRandom.next().toString(36).slice(2)).join('')}\n`, { mode: 0o600 })

/** SIGKILLs every life still running (SIGKILL also ends a SIGSTOPped process). Synchronous. */
function killAll(): void {
  for (const p of allLives()) p.kill('SIGKILL')
}
process.on('exit', killAll)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    log(`${sig}: killing every child`)
    killAll()
    if (values.keep !== true) rmSync(root, { recursive: true, force: true })
    process.exit(130)
  })
}

/** Polls `condition` until it holds; throws after `timeoutMs` or past the hard deadline. */
async function waitFor(what: string, condition: () => boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const end = Math.min(performance.now() + timeoutMs, hardDeadline)
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** The coordinator most running, unstopped peers currently name, as a slot. */
function coordinatorSlot(): Slot | undefined {
  const votes = new Map<string, number>()
  for (const s of slots.filter(up)) {
    const c = current(s)?.status()?.coordinator
    if (c !== null && c !== undefined) votes.set(c, (votes.get(c) ?? 0) + 1)
  }
  const top = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
  return slots.find((s) => s.lives.some((p) => p.self === top) || s.id === top)
}

async function main(): Promise<number> {
  const mdnsPort = await freeUdpPort()
  log(`seed ${seed}, ${peerCount} peers (${producerCount} producers, --send-every ${sendEvery}), ` +
    `${durationMs / 1000}s of chaos, mDNS on 127.0.0.1:${mdnsPort}, data in ${root}`)
  const start = (s: Slot): CliProcess => {
    const p = new CliProcess(`${s.id}#${s.lives.length + 1}`, [
      'join', APP, '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--id', s.id, '--data-dir', s.dataDir,
      '--heartbeat', String(timing.heartbeat), '--suspect', String(timing.suspect), '--hold-down', String(timing.holdDown),
      ...(s.producer ? ['--send-every', String(sendEvery)] : []),
      ...(values.secret ? ['--secret-file', secretFile] : [])
    ])
    s.lives.push(p)
    s.killed = false
    return p
  }
  const agreed = (): boolean => {
    const live = slots.filter(up).map((s) => current(s)?.status())
    const c = live[0]?.coordinator
    return live.length === peerCount && c !== null && c !== undefined &&
      live.every((st) => st !== undefined && st.coordinator === c && !st.failoverInProgress)
  }

  // 1. Start: the first peer creates the app, the others join it one by one (tsx startup is CPU-heavy).
  const first = slots[0] as Slot
  start(first)
  await waitFor(`${first.id} to lead`, () => current(first)?.status()?.role === 'leader', 30_000)
  for (const s of slots.slice(1)) {
    start(s)
    await sleep(400)
  }
  await waitFor('every peer to follow one coordinator', agreed, 60_000, 200)
  log(`all ${peerCount} peers follow ${coordinatorSlot()?.id ?? '?'}`)

  // 2. Chaos, seeded. Due restarts/resumes are kept in a list and run by the loop itself.
  const maxDown = Math.max(1, Math.floor((peerCount - 1) / 3))
  const due: { at: number; slot: Slot; what: 'restart' | 'resume' }[] = []
  let kills = 0
  let coordinatorKills = 0
  let partitions = 0
  const runDue = async (all: boolean): Promise<void> => {
    const now = performance.now()
    for (const d of [...due]) {
      if (!all && d.at > now) continue
      due.splice(due.indexOf(d), 1)
      if (d.what === 'resume') {
        current(d.slot)?.kill('SIGCONT')
        log(`SIGCONT ${d.slot.id} (partition healed)`)
      } else {
        start(d.slot)
        log(`restart ${d.slot.id} (life ${d.slot.lives.length})`)
        await sleep(200)
      }
    }
  }
  const chaosEnd = performance.now() + durationMs
  let nextAction = performance.now() + uniform(1000, 3000)
  let nextProgress = performance.now() + 10_000
  while (performance.now() < chaosEnd) {
    await runDue(false)
    const now = performance.now()
    if (now >= nextAction) {
      nextAction = now + uniform(1500, 4500)
      const candidates = slots.filter((s) => up(s) && due.every((d) => d.slot !== s))
      if (peerCount - candidates.length < maxDown && candidates.length > 0) {
        const coordinator = coordinatorSlot()
        const preferCoordinator = coordinator !== undefined && candidates.includes(coordinator)
        if (random.next() < 0.6) {
          const target = preferCoordinator && random.next() < 0.5 ? coordinator : pick(candidates)
          const p = target === undefined ? undefined : current(target)
          if (target !== undefined && p !== undefined) {
            p.kill('SIGKILL')
            target.killed = true
            kills++
            if (target === coordinator) coordinatorKills++
            log(`SIGKILL ${target.id}${target === coordinator ? ' (coordinator)' : ''}`)
            await p.exited
            due.push({ at: performance.now() + uniform(2000, 8000), slot: target, what: 'restart' })
          }
        } else {
          const target = preferCoordinator && random.next() < 0.3 ? coordinator : pick(candidates)
          const p = target === undefined ? undefined : current(target)
          if (target !== undefined && p !== undefined) {
            p.kill('SIGSTOP')
            partitions++
            log(`SIGSTOP ${target.id}${target === coordinator ? ' (coordinator)' : ''} (partitioned)`)
            due.push({ at: performance.now() + uniform(1500, 5000), slot: target, what: 'resume' })
          }
        }
      }
    }
    if (now >= nextProgress) {
      nextProgress = now + 10_000
      const acks = new Set(allLives().flatMap((p) => p.all('ack').map((a) => String(a.id)))).size
      log(`chaos: ${slots.filter(up).length}/${peerCount} up, coordinator ${coordinatorSlot()?.id ?? '-'}, ` +
        `${kills} kills, ${partitions} partitions, ${acks} acks`)
    }
    await sleep(100)
  }

  // 3. Stop the chaos: resume and restart every peer, let them settle, stop the senders.
  log(`chaos over: ${kills} kills (${coordinatorKills} of the coordinator), ${partitions} partitions; healing`)
  await runDue(true)
  await waitFor('every peer to be ready and follow one coordinator', agreed, 60_000, 200)
  log(`healed: all ${peerCount} follow ${coordinatorSlot()?.id ?? '?'}; stopping the senders`)
  for (const s of slots) current(s)?.command('stop-sending')

  // 4. Ask for reports until every replica reports the same, fully decided ledger.
  const lastReport = (s: Slot, since: number): CliRecord | undefined =>
    current(s)?.all('report', since).at(-1)
  let marks = slots.map((s) => current(s)?.records.length ?? 0)
  const settled = (): boolean => {
    const t = tally([], slots.map((s, i) => lastReport(s, marks[i] ?? 0)))
    return t.converged
  }
  try {
    await waitFor('every replica to report the same fully decided ledger', () => {
      if (settled()) return true
      marks = slots.map((s) => current(s)?.records.length ?? 0)
      for (const s of slots) current(s)?.command('report')
      return false
    }, 60_000, 1000)
    await sleep(1000) // the last acks of requests decided just now
  } catch (error) {
    log(error instanceof Error ? error.message : String(error))
  }
  for (const s of slots) current(s)?.command('report')
  marks = slots.map((s) => current(s)?.records.length ?? 0)
  await waitFor('final reports', () => slots.every((s, i) => lastReport(s, marks[i] ?? 0) !== undefined), 10_000).catch(() => undefined)
  const reports = slots.map((s, i) => lastReport(s, marks[i] ?? 0))
  const result = tally(allLives().flatMap((p) => p.records.map((r) => r.record)), reports)
  // Refused dials to killed peers' old ports are expected; anything else is shown (a few of each).
  const errors = allLives().flatMap((p) => p.all('error').map((r) => ({ label: p.label, message: String(r.message) })))
  const refused = errors.filter((e) => /ECONNREFUSED/.test(e.message)).length
  const other = errors.filter((e) => !/ECONNREFUSED/.test(e.message))
  log(`peer error records: ${refused} refused dials (expected after kills), ${other.length} other`)
  for (const e of other.slice(0, 10)) log(`  ${e.label}: ${e.message}`)
  if (result.duplicates > 0 || result.lost > 0) {
    // Show the acks behind a duplicate: the same id twice, or two ids with one reply count.
    const acks = allLives().flatMap((p) => p.all('ack').map((a) => ({ life: p.label, id: String(a.id), epoch: a.epoch, by: a.by, t: a.t,
      count: (a.reply as { count?: number } | null)?.count })))
    const byId = new Map<string, typeof acks>()
    const byCount = new Map<number | undefined, typeof acks>()
    for (const a of acks) {
      byId.set(a.id, [...(byId.get(a.id) ?? []), a])
      byCount.set(a.count, [...(byCount.get(a.count) ?? []), a])
    }
    for (const group of [...byId.values(), ...byCount.values()].filter((g) => g.length > 1).slice(0, 10)) log(`duplicate: ${JSON.stringify(group)}`)
  }
  if (!result.converged) {
    for (const [i, r] of reports.entries()) {
      log(`${slots[i]?.id ?? '?'}: count ${String(r?.count)} decided ${String((r?.decided as unknown[] | undefined)?.length)} pending ${String(r?.pending)} ` +
        `coordinator ${String(r?.coordinator)} epoch ${String(r?.epoch)}`)
    }
  }

  // 5. Clean shutdown (quit), then SIGKILL whatever is left (in finally).
  for (const s of slots) current(s)?.command('quit')
  await Promise.race([Promise.all(allLives().map((p) => p.exited)), sleep(5000)])

  const ok = result.lost === 0 && result.duplicates === 0 && result.converged
  log(`${ok ? 'PASS' : 'FAIL'}: ${result.acked} acked, ${result.lost} lost, ${result.duplicates} duplicates, converged ${result.converged}`)
  process.stdout.write(`${JSON.stringify({
    minutes: Math.round(durationMs / 600) / 100, peers: peerCount, kills, partitions, failovers: result.failovers,
    sent: result.sent, acked: result.acked, lost: result.lost, duplicates: result.duplicates, converged: result.converged,
    seed, producers: producerCount, coordinatorKills, restarts: allLives().length - peerCount, sendFailed: result.sendFailed,
    counter: result.counter, decided: result.decided, secure: values.secret,
    refused: allLives().reduce((n, p) => n + p.all('refused').length, 0)
  })}\n`)
  return ok ? 0 : 1
}

const watchdog = setTimeout(() => {
  log('hard deadline passed: killing every child')
  killAll()
  process.exit(1)
}, hardDeadline - t0)
let code = 1
try {
  code = await main()
} catch (error) {
  log(`error: ${error instanceof Error ? error.message : String(error)}`)
  for (const p of allLives().filter((x) => x.running)) log(`${p.label}: ${JSON.stringify(p.status())} ${p.stderr.slice(-3).join(' | ')}`)
} finally {
  clearTimeout(watchdog)
  killAll()
  await Promise.race([Promise.all(allLives().map((p) => p.exited)), sleep(5000)])
  if (!values.keep) rmSync(root, { recursive: true, force: true })
}
process.exit(code)
