import { connect, initServer, type Server } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { joinLan, lanTiming, type LanPeer } from '../src/index.js'
import { loopbackMdns } from '../src/testing/index.js'
import { SETTLE_MS, waitFor } from './support/wait.js'

/** joinLan + core's API, in one process, on loopback only. */
describe('joinLan', () => {
  const lans: LanPeer[] = []
  const servers: Server[] = []
  afterEach(async () => {
    for (const s of servers.splice(0)) s.stop()
    await Promise.all(lans.splice(0).map((l) => l.close()))
  })

  it('refuses to guess the interface', async () => {
    await expect(joinLan('app', {})).rejects.toThrow(/needs `interface`.*`lan: true`/)
  })

  it('gives initServer and connect what they need: two servers and a client find each other and a request is decided', async () => {
    const net = await loopbackMdns()
    const options = { interface: net.interface, mdnsBind: net.bind, mdnsPort: net.port }
    // The LAN join grace (lanTiming's 1.5 s): under CPU load a 300 ms grace ran out before the
    // handshake did, and a joiner created a second copy of the app.
    const timing = lanTiming({ heartbeatMs: 50, suspectMs: 200 })
    const a = await joinLan('counter', { ...options, peerId: 'server-a' })
    lans.push(a)
    expect(a.address?.host).toBe('127.0.0.1')
    const serverA = initServer('counter', { transport: a.transport, timing })
    servers.push(serverA)
    serverA.onReceive((msg) => ({ echo: msg }))
    await waitFor('server-a to lead', () => serverA.isServer(), SETTLE_MS)
    const b = await joinLan('counter', { ...options, peerId: 'server-b' })
    lans.push(b)
    const serverB = initServer('counter', { transport: b.transport, timing })
    servers.push(serverB)
    const c = await joinLan('counter', { ...options, peerId: 'client-c' })
    lans.push(c)
    const client = connect('counter', { transport: c.transport, timing })
    servers.push({ stop: () => client.peer.stop() } as Server)
    await waitFor('everyone linked', () => a.transport.peers().size === 2 && b.transport.peers().size === 2 && c.transport.peers().size === 2, SETTLE_MS)
    const result = await client.send({ hello: 1 })
    expect(result).toMatchObject({ status: 'acknowledged', reply: { echo: { hello: 1 } }, by: 'server-a' })
    await waitFor('server-b to follow server-a', () => serverB.getSnapshot().coordinator === 'server-a', SETTLE_MS, () => serverB.getSnapshot())
    expect(a.discovery?.stats().sendErrors).toBe(0)
  })
})
