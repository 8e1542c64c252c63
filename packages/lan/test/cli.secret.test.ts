import { writeFileSync } from 'node:fs'
import { join as joinPath } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliProcess, type CliRecord, type CliStatus, freeUdpPort } from '../src/testing/index.js'
import { useCliSandbox } from './support/cliSandbox.js'
import { CLI_TEST_MS, SETTLE_MS, START_MS, waitFor } from './support/wait.js'

/**
 * A room with a secret, as a user runs it: three `sship join --secret-file` processes on loopback
 * link, agree and fail over; a fourth with another secret (from SSHIP_SECRET) is refused by each
 * of them, on both sides, with one `refused` record per link, and its document never gets any of
 * the room's data. Everyone keeps running.
 */
const IDS = ['room-1', 'room-2', 'room-3']
const INTRUDER = 'intruder'

describe('sship join with a room secret', () => {
  const { children, tempDir } = useCliSandbox()

  it('links members only, fails over among them, and refuses a peer with another secret on both sides', async () => {
    const dir = tempDir('sship-secret-')
    const secretFile = joinPath(dir, 'room.secret')
    writeFileSync(secretFile, 'correct horse battery staple 5f1e\n', { mode: 0o600 })
    const mdnsPort = await freeUdpPort()
    const base = (id: string): string[] => [
      'join', 'secret-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--id', id,
      '--heartbeat', '50', '--suspect', '250', '--send-every', '150', '--exit-after', String(CLI_TEST_MS)
    ]
    const start = (id: string, extra: string[], env: Record<string, string> = {}): CliProcess => {
      const c = new CliProcess(id, [...base(id), ...extra], { env })
      children.push(c)
      return c
    }
    const members = new Map<string, CliProcess>()
    const describeAll = (): unknown => [...members.values(), ...children.filter((c) => c.label === INTRUDER)].map((c) => c.describe())
    members.set('room-1', start('room-1', ['--secret-file', secretFile]))
    await waitFor('room-1 to lead', () => members.get('room-1')?.status()?.role === 'leader', START_MS, describeAll)
    for (const id of IDS.slice(1)) members.set(id, start(id, ['--secret-file', secretFile]))
    const intruder = start(INTRUDER, [], { SSHIP_SECRET: 'a guessed secret' })
    const agree = (group: CliProcess[], check: (s: CliStatus) => boolean): boolean =>
      group.every((c) => { const s = c.status(); return s !== undefined && check(s) })
    const coordinatorOf = (group: CliProcess[]): string | null | undefined => group[0]?.status()?.coordinator
    await waitFor('the three members to link and follow one of them', () => agree([...members.values()], (s) =>
      IDS.includes(s.coordinator ?? '') && s.coordinator === coordinatorOf([...members.values()]) &&
      s.linked.length === 2 && s.successors.length === 3 && !s.failoverInProgress), START_MS, describeAll)
    const refusedBy = (c: CliProcess): string[] => c.all('refused').map((r) => String(r.peer)).sort()
    await waitFor('every member and the intruder to report the refusals', () =>
      refusedBy(intruder).length === 3 && [...members.values()].every((m) => refusedBy(m).includes(INTRUDER)), SETTLE_MS, describeAll)
    expect(refusedBy(intruder)).toEqual(IDS)
    for (const m of members.values()) expect(refusedBy(m)).toEqual([INTRUDER])
    expect(intruder.all('refused')[0]?.message).toMatch(/^peer room-\d presented a different room secret \(or none\); its link is refused$/)
    expect(members.get('room-1')?.all('ready')[0]?.secure).toBe(true)

    // Fail over among the members: the intruder is never a candidate.
    const leader = coordinatorOf([...members.values()]) as string
    const first = members.get(leader) as CliProcess
    const epoch1 = first.status()?.epoch ?? -1
    first.kill()
    await first.exited
    const survivors = IDS.filter((id) => id !== leader).map((id) => members.get(id) as CliProcess)
    await waitFor('the survivors to agree on a new coordinator', () => agree(survivors, (s) =>
      s.coordinator !== null && s.coordinator !== leader && s.coordinator !== INTRUDER && s.epoch > epoch1 &&
      s.coordinator === survivors[0]?.status()?.coordinator && !s.failoverInProgress), SETTLE_MS, describeAll)
    const ackedAfter = survivors.map((s) => s.all('ack').length)
    await waitFor('the survivors to keep deciding requests', () => survivors.every((s, i) => s.all('ack').length > (ackedAfter[i] ?? 0) + 2), SETTLE_MS, describeAll)

    // `sship status` hears the coordinator only with the room's secret.
    const newLeader = survivors[0]?.status()?.coordinator
    // Status exits once it heard the coordinator, so the member's long timeout costs nothing when
    // it works; it covers key derivation and the handshake on a starved (loaded) machine. The
    // outsider waits its whole timeout: it never hears anything.
    const status = (label: string, timeoutMs: number, extra: string[], env: Record<string, string> = {}): CliProcess => {
      const c = new CliProcess(label, ['status', 'secret-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--timeout', String(timeoutMs), ...extra], { env })
      children.push(c)
      return c
    }
    const withSecret = status('status-member', 30_000, ['--secret-file', secretFile])
    const withoutSecret = status('status-outsider', 10_000, [], { SSHIP_SECRET: 'yet another guess' })
    expect(await Promise.all([withSecret.exited, withoutSecret.exited])).toEqual([0, 0])
    expect(withSecret.all('app-status')[0]).toMatchObject({ coordinator: newLeader })
    // It finds the peers over mDNS (that is public) but no link carries anything to it.
    expect(withoutSecret.all('app-status')[0]).toMatchObject({ coordinator: null, successors: [] })
    expect((withoutSecret.all('app-status')[0]?.peers as unknown[]).length).toBeGreaterThanOrEqual(3)

    // The intruder ran its own room alone the whole time and learned nothing of this one.
    expect(intruder.running).toBe(true)
    await waitFor('the intruder to lead its own room', () => intruder.status()?.role === 'leader' && intruder.all('ack').length > 3, SETTLE_MS, describeAll)
    const alone = intruder.status() as CliStatus
    expect(alone).toMatchObject({ coordinator: INTRUDER, linked: [], successors: [INTRUDER] })
    const reportOf = async (c: CliProcess): Promise<CliRecord> => {
      const before = c.all('report').length
      c.command('report')
      await waitFor(`${c.label}'s report`, () => c.all('report').length > before, SETTLE_MS, describeAll)
      return c.all('report').at(-1) as CliRecord
    }
    const theirs = await reportOf(intruder)
    const ours = await reportOf(survivors[0] as CliProcess)
    const memberAcks = [...members.values()].flatMap((c) => c.all('ack').map((a) => String(a.id)))
    const intruderAcks = intruder.all('ack').map((a) => String(a.id))
    expect(memberAcks.length).toBeGreaterThan(10)
    expect(intruderAcks.length).toBeGreaterThan(3)
    expect((theirs.decided as string[]).filter((id) => memberAcks.includes(id)), 'room requests in the intruder\'s doc').toEqual([])
    expect((ours.decided as string[]).filter((id) => intruderAcks.includes(id)), 'intruder requests in the room\'s doc').toEqual([])
    expect(theirs.count).toBe((theirs.decided as string[]).length)
    for (const c of [...survivors, intruder]) expect(c.running).toBe(true)
  }, CLI_TEST_MS)
})
