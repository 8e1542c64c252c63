import { asPeerId, type PeerId } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { MdnsDiscovery } from '../src/index.js'
import { CliProcess, freeUdpPort } from '../src/testing/index.js'
import { CLI_TEST_MS, SETTLE_MS, START_MS, waitFor } from './support/wait.js'

/** The CLI as a user runs it, on loopback only (mDNS from 127.0.0.1 on a free port). */
describe('sship commands', () => {
  const children: CliProcess[] = []
  const discoveries: MdnsDiscovery[] = []
  afterEach(async () => {
    for (const c of children) c.kill()
    await Promise.all(children.splice(0).map((c) => c.exited))
    await Promise.all(discoveries.splice(0).map((d) => d.close()))
  })
  const run = (label: string, args: string[]): CliProcess => {
    const c = new CliProcess(label, args)
    children.push(c)
    return c
  }
  const join = (id: string, mdnsPort: number): CliProcess =>
    run(id, ['join', 'cmd-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--id', id, '--heartbeat', '50', '--suspect', '250', '--exit-after', String(CLI_TEST_MS)])

  it('refuses to start without --interface or --lan, saying how to fix it', async () => {
    const c = run('no-interface', ['join', 'cmd-app'])
    expect(await c.exited).toBe(2)
    expect(c.stderr.join('\n')).toMatch(/--interface is required \(e\.g\. --interface 127\.0\.0\.1/)
  })

  it('status lists the peers, their addresses and the coordinator, then exits', async () => {
    const mdnsPort = await freeUdpPort()
    const a = join('peer-a', mdnsPort)
    await waitFor('peer-a to lead', () => a.status()?.role === 'leader', START_MS, () => a.describe())
    const b = join('peer-b', mdnsPort)
    await waitFor('peer-b to follow', () => b.status()?.coordinator === 'peer-a' && a.status()?.linked.length === 1, START_MS, () => [a.describe(), b.describe()])
    // A generous timeout costs nothing when the room answers (status exits once it heard the
    // coordinator) and keeps a starved process (a loaded machine) from reporting none.
    const status = run('status', ['status', 'cmd-app', '--interface', '127.0.0.1', '--mdns-port', String(mdnsPort), '--timeout', '20000'])
    expect(await status.exited).toBe(0)
    const [report] = status.all('app-status')
    const address = (c: CliProcess): unknown => c.all('ready')[0]?.address
    expect(report).toEqual({
      type: 'app-status', app: 'cmd-app',
      peers: [{ id: 'peer-a', address: address(a) }, { id: 'peer-b', address: address(b) }],
      coordinator: 'peer-a', epoch: a.status()?.epoch, successors: ['peer-a', 'peer-b'], alive: ['peer-a', 'peer-b'], reason: null
    })
  })

  it('status exits 1 when no peer answers', async () => {
    const status = run('status', ['status', 'nobody-here', '--interface', '127.0.0.1', '--mdns-port', String(await freeUdpPort()), '--timeout', '400'])
    expect(await status.exited).toBe(1)
    expect(status.all('app-status')[0]).toMatchObject({ peers: [], coordinator: null, reason: expect.stringContaining('no peers') as unknown })
  })

  it('on SIGTERM, leaves with an mDNS goodbye and exits 0', async () => {
    const mdnsPort = await freeUdpPort()
    const lost: { peer: PeerId; reason: string }[] = []
    const watcher = new MdnsDiscovery({ app: 'cmd-app', peerId: asPeerId('watcher'), interface: '127.0.0.1', bind: '0.0.0.0', port: mdnsPort })
    discoveries.push(watcher)
    watcher.subscribe({ found: () => undefined, lost: (peer, reason) => lost.push({ peer, reason }) })
    await watcher.start(undefined)
    const a = join('peer-a', mdnsPort)
    await waitFor('peer-a found', () => watcher.lookup(asPeerId('peer-a')) !== undefined, START_MS, () => a.describe())
    a.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect(a.all('stopped')).toEqual([{ type: 'stopped', reason: 'SIGTERM' }])
    await waitFor('goodbye', () => lost.length > 0, SETTLE_MS)
    expect(lost).toEqual([{ peer: 'peer-a', reason: 'goodbye' }])
  })
})
