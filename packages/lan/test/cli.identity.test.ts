import { writeFileSync } from 'node:fs'
import { join as joinPath } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliProcess, type CliStatus, freeUdpPort } from '../src/testing/index.js'
import { useCliSandbox } from './support/cliSandbox.js'
import { CLI_TEST_MS, SETTLE_MS, START_MS, waitFor } from './support/wait.js'

/**
 * A room with identities, as a user runs it: three `sship join --identity --secret-file`
 * processes on loopback link under self-certifying GUIDs, agree on one coordinator, decide
 * requests, fail over when the coordinator is SIGKILLed, and the killed peer (with `--data-dir`)
 * comes back under the same GUID, at the head of the successorship list, and fails back. A fourth peer started with a member's label gets a GUID of its
 * own key, and asking for the member's whole GUID is refused. `sship status --identity` reads the room.
 */
const GUID = /^([a-z0-9-]+)~[a-z2-7]{26}$/

describe('sship join --identity', () => {
  const { children, tempDir } = useCliSandbox()

  it('agrees, fails over, keeps a restarted peer\'s GUID, and gives a same-label peer another GUID', async () => {
    const dir = tempDir('sship-identity-')
    const secretFile = joinPath(dir, 'room.secret')
    writeFileSync(secretFile, 'correct horse battery staple 7c2d\n', { mode: 0o600 })
    const dataDir = joinPath(dir, 'room-1')
    const mdnsPort = await freeUdpPort()
    const start = (label: string, args: string[]): CliProcess => {
      const c = new CliProcess(label, [
        'join', 'id-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--secret-file', secretFile, '--identity',
        '--heartbeat', '50', '--suspect', '250', '--hold-down', '1000', '--send-every', '150', '--exit-after', String(CLI_TEST_MS), ...args
      ])
      children.push(c)
      return c
    }
    const peers = new Map<string, CliProcess>()
    const describeAll = (): unknown => [...children].map((c) => c.describe())
    const agree = (group: CliProcess[], check: (s: CliStatus) => boolean): boolean =>
      group.every((c) => { const s = c.status(); return s !== undefined && check(s) && s.coordinator === group[0]?.status()?.coordinator })

    peers.set('room-1', start('room-1', ['--id', 'room-1', '--data-dir', dataDir]))
    await waitFor('room-1 to lead', () => peers.get('room-1')?.status()?.role === 'leader', START_MS, describeAll)
    peers.set('room-2', start('room-2', ['--id', 'room-2']))
    peers.set('room-3', start('room-3', ['--id', 'room-3']))
    const all = (): CliProcess[] => [...peers.values()]
    await waitFor('the three to link and follow one coordinator', () => agree(all(), (s) =>
      s.linked.length === 2 && s.successors.length === 3 && s.coordinator !== null && !s.failoverInProgress), START_MS, describeAll)

    // Every GUID is <label>~<fingerprint of its own key>, and the ready record says so.
    const guid = new Map([...peers].map(([label, c]) => [label, c.self ?? '']))
    for (const [label, c] of peers) {
      expect(c.all('ready')[0]).toMatchObject({ secure: true, identity: true })
      expect(guid.get(label)).toMatch(GUID)
      expect(GUID.exec(guid.get(label) ?? '')?.[1]).toBe(label)
    }
    const first = guid.get('room-1') as string
    expect(peers.get('room-2')?.status()?.coordinator).toBe(first)
    expect([...(peers.get('room-3')?.status()?.successors ?? [])].sort()).toEqual([...guid.values()].sort())
    await waitFor('every peer to have requests acknowledged', () => all().every((c) => c.all('ack').length >= 3), SETTLE_MS, describeAll)
    // Signed requests are decided by the signed term's leader.
    expect(peers.get('room-2')?.all('ack').at(-1)).toMatchObject({ by: first })

    // SIGKILL the coordinator: the other two fail over to one of them, at a higher epoch, and keep deciding.
    const killed = peers.get('room-1') as CliProcess
    const epoch1 = killed.status()?.epoch ?? -1
    killed.kill()
    await killed.exited
    peers.delete('room-1')
    const failoverMs = await waitFor('the survivors to agree on a new coordinator', () => agree(all(), (s) =>
      s.coordinator !== null && s.coordinator !== first && s.epoch > epoch1 && !s.failoverInProgress), SETTLE_MS, describeAll)
    const second = peers.get('room-2')?.status()?.coordinator as string
    expect([guid.get('room-2'), guid.get('room-3')]).toContain(second)
    const acked = all().map((c) => c.all('ack').length)
    await waitFor('the survivors to keep deciding requests', () => all().every((c, i) => c.all('ack').length > (acked[i] ?? 0) + 2), SETTLE_MS, describeAll)
    // Decided under a survivor's signed term. Not necessarily `second`'s: under CPU load the later of
    // the two may claim first, and the one ahead in the list then takes the role over by handoff.
    expect([guid.get('room-2'), guid.get('room-3')]).toContain(peers.get('room-3')?.all('ack').at(-1)?.by)

    // room-1 restarts from its data directory: the same key pair, so the same GUID and its place in the list.
    const restarted = start('room-1 again', ['--id', 'room-1', '--data-dir', dataDir])
    peers.set('room-1', restarted)
    // A newcomer takes room-2's label with its own key; asking for room-2's whole GUID is refused before it runs.
    const sameLabel = start('room-2 impostor', ['--id', 'room-2'])
    const wholeGuid = start('room-2 by GUID', ['--id', guid.get('room-2') as string])
    expect(await wholeGuid.exited).toBe(2)
    expect(wholeGuid.stderr.join('\n')).toMatch(/with --identity, --id is a label, not a GUID/)
    expect(wholeGuid.all('ready')).toEqual([])
    await waitFor('both newcomers to be ready', () => restarted.self !== undefined && sameLabel.self !== undefined, START_MS, describeAll)
    expect(restarted.self).toBe(first)
    // Its document came back too, with the term it had signed as coordinator.
    expect((restarted.all('ready')[0]?.restored as { terms: number }).terms).toBeGreaterThanOrEqual(epoch1)
    expect(sameLabel.self).toMatch(/^room-2~/)
    expect(sameLabel.self).not.toBe(guid.get('room-2'))
    peers.set('impostor', sameLabel)
    // room-1 kept its place at the head of the successorship list, so it fails back (after the hold-down).
    await waitFor('all four to link, each under its own GUID, and room-1 to coordinate again', () => agree(all(), (s) =>
      s.linked.length === 3 && s.successors.length === 4 && s.successors[0] === first && s.coordinator === first && !s.failoverInProgress),
    START_MS, describeAll)
    const successors = peers.get('room-3')?.status()?.successors ?? []
    expect([...successors].sort()).toEqual([first, guid.get('room-2'), guid.get('room-3'), sameLabel.self].sort())
    // Two peers labelled room-2, told apart by their fingerprints; room-2 itself is still linked under its GUID.
    expect(successors.filter((p) => p.startsWith('room-2~'))).toHaveLength(2)
    expect(peers.get('room-3')?.status()?.linked).toContain(guid.get('room-2'))
    for (const c of all()) expect(c.running).toBe(true)
    for (const c of all()) expect(c.all('refused')).toEqual([])

    // `sship status --identity` reads the room; without --identity its link never completes the handshake.
    // Status exits once it heard the coordinator: the long timeout costs nothing when it works and
    // covers key derivation and the handshake on a starved (loaded) machine. Without --identity it
    // never hears anything and waits its whole (shorter) timeout.
    const status = (label: string, timeoutMs: number, extra: string[]): CliProcess => {
      const c = new CliProcess(label, ['status', 'id-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--timeout', String(timeoutMs), '--secret-file', secretFile, ...extra])
      children.push(c)
      return c
    }
    const withIdentity = status('status-identity', 30_000, ['--identity'])
    const without = status('status-plain', 10_000, [])
    expect(await Promise.all([withIdentity.exited, without.exited])).toEqual([0, 0])
    expect(withIdentity.all('app-status')[0]).toMatchObject({ coordinator: first })
    expect([...(withIdentity.all('app-status')[0]?.successors as string[])].sort()).toEqual([...successors].sort())
    expect(without.all('app-status')[0]).toMatchObject({ coordinator: null, successors: [] })
    // For the record (not asserted): how long the survivors took to agree after the SIGKILL, as the test saw it.
    console.log(`sship --identity: failover observed after ${Math.round(failoverMs)} ms (suspect 250 ms)`)
  }, CLI_TEST_MS)
})
