import { connect, initServer, SecurityError, type PeerId, type Server } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { joinLan, lanTiming, SecureLanTransport, type JoinLanOptions, type LanPeer } from '../src/index.js'
import { loopbackMdns } from '../src/testing/index.js'
import { SETTLE_MS, sleep, waitFor } from './support/wait.js'

/** joinLan with a room secret, in one process, on loopback only (few PBKDF2 iterations: the protocol is under test). */
describe('joinLan with a secret', () => {
  const lans: LanPeer[] = []
  const servers: Server[] = []
  afterEach(async () => {
    for (const s of servers.splice(0)) s.stop()
    await Promise.all(lans.splice(0).map((l) => l.close()))
  })
  // The LAN join grace (lanTiming's 1.5 s): under CPU load a 300 ms grace ran out before the
  // handshake did, and a joiner created a second copy of the app.
  const timing = lanTiming({ heartbeatMs: 50, suspectMs: 200 })

  async function peer(id: string, secret: string, options: Partial<JoinLanOptions>, errors: Array<[string, PeerId | undefined]>): Promise<LanPeer> {
    const lan = await joinLan('vault', {
      ...options, peerId: id, secret, security: { iterations: 1000, handshakeRetryMs: 100 },
      onError: (e, from) => { if (e instanceof SecurityError) errors.push([e.code, from]) }
    })
    lans.push(lan)
    return lan
  }

  it('refuses an empty secret with a ConfigError', async () => {
    await expect(joinLan('vault', { interface: '127.0.0.1', secret: '', mdns: false })).rejects.toThrow(/room secret is empty/)
  })

  it('links members, refuses another secret on both sides, and re-links through sockets cut mid-handshake', async () => {
    const net = await loopbackMdns()
    const options = { interface: net.interface, mdnsBind: net.bind, mdnsPort: net.port }
    const errors = { a: [] as Array<[string, PeerId | undefined]>, b: [] as Array<[string, PeerId | undefined]>, x: [] as Array<[string, PeerId | undefined]> }
    const a = await peer('member-a', 'the room secret', options, errors.a)
    expect(a.transport).toBeInstanceOf(SecureLanTransport)
    expect(a.secure).toBe(true)
    const serverA = initServer('vault', { transport: a.transport, timing })
    servers.push(serverA)
    serverA.onReceive((msg) => ({ echo: msg }))
    await waitFor('member-a to lead', () => serverA.isServer(), SETTLE_MS)
    const b = await peer('member-b', 'the room secret', options, errors.b)
    const client = connect('vault', { transport: b.transport, timing })
    servers.push({ stop: () => client.peer.stop() } as Server)
    const x = await peer('outsider', 'another secret', options, errors.x)
    const outsider = connect('vault', { transport: x.transport, timing })
    servers.push({ stop: () => outsider.peer.stop() } as Server)
    await waitFor('the members to link', () => a.transport.peers().has(b.peerId) && b.transport.peers().has(a.peerId), SETTLE_MS)
    expect(await client.send({ n: 1 })).toMatchObject({ status: 'acknowledged', reply: { echo: { n: 1 } } })
    await waitFor('the refusals on both sides', () => errors.x.length === 2 && errors.a.length === 1 && errors.b.length === 1, SETTLE_MS, () => errors)
    expect(errors.x.map(([code, from]) => `${code} ${from}`).sort()).toEqual(['auth-failed member-a', 'auth-failed member-b'])
    expect(errors.a).toEqual([['auth-failed', 'outsider']])
    expect(errors.b).toEqual([['auth-failed', 'outsider']])
    // The outsider's LAN links stay open (no redial loop) but carry nothing up.
    expect(x.lanTransport.peers().size).toBe(2)
    expect([...x.transport.peers()]).toEqual([])
    expect(outsider.getSnapshot().coordinator).toBeNull()

    // Cut the members' sockets again and again, so redials land mid-handshake; they settle on one session.
    for (let i = 0; i < 10; i++) {
      a.transport.cut(b.peerId)
      await sleep(15 + 7 * i)
    }
    await waitFor('the members to re-link', () => a.transport.peers().has(b.peerId) && b.transport.peers().has(a.peerId), SETTLE_MS)
    expect(await client.send({ n: 2 })).toMatchObject({ status: 'acknowledged', reply: { echo: { n: 2 } } })
    expect([...errors.a, ...errors.b].filter(([, from]) => from !== 'outsider'), 'errors between members').toEqual([])
    expect(outsider.getSnapshot().coordinator).toBeNull()
  })
})
