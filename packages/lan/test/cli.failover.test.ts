import { afterEach, describe, expect, it } from 'vitest'
import { CliProcess, type CliRecord, type CliStatus, freeUdpPort } from '../src/testing/index.js'
import { CLI_TEST_MS, SETTLE_MS, sleep, START_MS, waitFor } from './support/wait.js'

/**
 * Five `sship join` processes on loopback (mDNS from 127.0.0.1 on a free port, servers on
 * 127.0.0.1) find each other, agree on a coordinator, survive a SIGKILL of it, take it back
 * after it restarts, and decide every request exactly once. Every child quits on its own when
 * stdin closes or after `--exit-after`, and is SIGKILLed after the test, passed or failed.
 */
const TIMING = { heartbeat: 50, suspect: 250, holdDown: 1500 }
const IDS = ['node-1', 'node-2', 'node-3', 'node-4', 'node-5']
const SEND_EVERY_MS = 100

describe('sship join: five processes on loopback', () => {
  const children: CliProcess[] = []
  afterEach(async () => {
    for (const c of children) c.kill()
    await Promise.all(children.splice(0).map((c) => c.exited))
  })

  it('agree on a coordinator, fail over on SIGKILL, fail back after the hold-down, and apply each request once', async () => {
    const mdnsPort = await freeUdpPort()
    const start = (id: string): CliProcess => {
      const child = new CliProcess(id, [
        'join', 'failover-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--id', id,
        '--heartbeat', String(TIMING.heartbeat), '--suspect', String(TIMING.suspect), '--hold-down', String(TIMING.holdDown),
        '--send-every', String(SEND_EVERY_MS), '--exit-after', String(CLI_TEST_MS)
      ])
      children.push(child)
      return child
    }
    const byId = new Map<string, CliProcess>()
    const live = (): CliProcess[] => [...byId.values()].filter((c) => c.running)
    const agreeOn = (group: CliProcess[], check: (s: CliStatus) => boolean): boolean =>
      group.every((c) => { const s = c.status(); return s !== undefined && check(s) })
    const describeAll = (): unknown => [...byId.values()].map((c) => c.describe())

    // 1. The first process creates the app and leads it; the others join it.
    byId.set('node-1', start('node-1'))
    await waitFor('node-1 to lead', () => byId.get('node-1')?.status()?.role === 'leader', START_MS, describeAll)
    for (const id of IDS.slice(1)) byId.set(id, start(id))
    const discoveryMs = await waitFor('all five to link to each other and follow node-1', () => agreeOn(live(), (s) =>
      s.coordinator === 'node-1' && s.linked.length === 4 && s.successors.length === 5 && !s.failoverInProgress), START_MS, describeAll)
    const epoch1 = byId.get('node-1')?.status()?.epoch ?? -1
    await sleep(1500)

    // 2. SIGKILL the coordinator: the other four agree on a new one with a higher epoch.
    const first = byId.get('node-1') as CliProcess
    first.kill('SIGKILL')
    const killedAt = performance.now()
    await first.exited
    const survivors = live()
    await waitFor('the survivors to agree on a new coordinator', () => {
      const s0 = survivors[0]?.status()
      return s0 !== undefined && s0.coordinator !== null && s0.coordinator !== 'node-1' && s0.epoch > epoch1 &&
        agreeOn(survivors, (s) => s.coordinator === s0.coordinator && s.epoch === s0.epoch && !s.failoverInProgress)
    }, SETTLE_MS, describeAll)
    const failoverMs = performance.now() - killedAt
    const afterFailover = survivors[0]?.status() as CliStatus
    expect(afterFailover.coordinator).not.toBe('node-1')
    await sleep(1000)

    // 3. Restart node-1 with the same GUID: it takes the role back after the hold-down.
    const restarted = start('node-1')
    byId.set('node-1', restarted)
    await waitFor('restarted node-1 to be ready', () => restarted.all('ready').length > 0, START_MS, describeAll)
    const readyAt = performance.now()
    await waitFor('all five to follow node-1 again', () => agreeOn(live(), (s) =>
      s.coordinator === 'node-1' && s.epoch > afterFailover.epoch && s.linked.length === 4 && !s.failoverInProgress), SETTLE_MS, describeAll)
    const failbackMs = performance.now() - readyAt
    await sleep(1000)

    // 4. Stop the request streams and wait until every replica has decided everything, identically.
    for (const c of live()) c.command('stop-sending')
    let reports: CliRecord[] = []
    await waitFor('every replica to report the same, fully decided ledger', () => {
      reports = live().map((c) => c.all('report').at(-1) ?? { type: 'none' })
      const settled = reports.length === 5 && reports.every((r) => r.pending === 0 && sameJson(r.decided, reports[0]?.decided) && r.count === reports[0]?.count)
      if (!settled) for (const c of live()) c.command('report')
      return settled
    }, SETTLE_MS, () => reports.map((r) => ({ count: r.count, pending: r.pending, decided: (r.decided as unknown[] | undefined)?.length })), 300)

    // 5. Exactly once: the counter equals the number of decided requests, and every acknowledged
    //    request is among them, acknowledged once, with a reply count no other ack got.
    const final = reports[0] as CliRecord
    const decided = new Set(final.decided as string[])
    expect(final.count, 'counter vs decided requests').toBe(decided.size)
    const ackOf = (a: CliRecord): { id: string; count: number } => ({ id: String(a.id), count: (a.reply as { count: number }).count })
    const survivorAcks = [...byId.values()].flatMap((c) => c.all('ack').map(ackOf))
    const killedAcks = first.all('ack').map(ackOf)
    const acks = [...survivorAcks, ...killedAcks]
    expect(survivorAcks.length).toBeGreaterThan(50)
    expect(new Set(acks.map((a) => a.id)).size, 'an id acknowledged twice').toBe(acks.length)
    expect(survivorAcks.filter((a) => !decided.has(a.id)), 'acknowledged by a survivor but not decided').toEqual([])
    // The killed coordinator acknowledged its own requests from its local replica: those could
    // in principle be lost with it (an ack before replication); none may be.
    expect(killedAcks.filter((a) => !decided.has(a.id)), 'acknowledged by the killed coordinator but lost').toEqual([])
    expect(new Set(acks.map((a) => a.count)).size, 'two acknowledged requests got the same count').toBe(acks.length)
    expect([...byId.values()].flatMap((c) => c.all('send-failed'))).toEqual([])

    // 6. Clean shutdown: each process says goodbye and exits 0.
    for (const c of live()) c.command('quit')
    const codes = await Promise.all([...byId.values()].map((c) => c.exited))
    expect(codes).toEqual([0, 0, 0, 0, 0])

    console.log(JSON.stringify({
      measured: 'sship join, 5 processes on loopback', timing: TIMING,
      joinToAgreementMs: Math.round(discoveryMs),
      killToNewCoordinatorMs: Math.round(failoverMs),
      restartReadyToFailbackMs: Math.round(failbackMs),
      epochs: { first: epoch1, afterFailover: afterFailover.epoch, afterFailback: byId.get('node-1')?.status()?.epoch },
      requests: { decided: decided.size, acked: acks.length, ackedByKilledCoordinator: first.all('ack').length }
    }))
  }, CLI_TEST_MS)
})

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
