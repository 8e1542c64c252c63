import { ConfigError, connect, initServer, SecurityError, type PeerId, type Server } from '@sship/core'
import { createIdentity, type PeerIdentity } from '@sship/core/security'
import { afterEach, describe, expect, it } from 'vitest'
import { joinLan, lanTiming, SecureLanTransport, type LanPeer } from '../src/index.js'
import { loopbackMdns } from '../src/testing/index.js'
import { SETTLE_MS, waitFor } from './support/wait.js'

/** joinLan with identities, in one process, on loopback only (few PBKDF2 iterations: the protocol is under test). */
describe('joinLan with an identity', () => {
  const lans: LanPeer[] = []
  const servers: Server[] = []
  afterEach(async () => {
    for (const s of servers.splice(0)) s.stop()
    await Promise.all(lans.splice(0).map((l) => l.close()))
  })
  // The LAN join grace (lanTiming's 1.5 s): under CPU load a 300 ms grace ran out before the
  // handshake did, and a joiner created a second copy of the app.
  const timing = lanTiming({ heartbeatMs: 50, suspectMs: 200 })
  const security = { iterations: 1000, handshakeRetryMs: 100 }

  it('needs a room secret and refuses a peerId that is not the identity\'s, with ConfigErrors', async () => {
    const identity = await createIdentity('solo')
    await expect(joinLan('vault', { interface: '127.0.0.1', mdns: false, identity })).rejects.toThrow(ConfigError)
    await expect(joinLan('vault', { interface: '127.0.0.1', mdns: false, identity })).rejects.toThrow(/an identity needs a room secret/)
    await expect(joinLan('vault', { interface: '127.0.0.1', mdns: false, identity, secret: 's', peerId: 'solo~other' }))
      .rejects.toThrow(/peerId solo~other is not identity\.id solo~/)
    const lan = await joinLan('vault', { interface: '127.0.0.1', mdns: false, identity, secret: 's', peerId: identity.id, security })
    lans.push(lan)
    expect(lan.peerId).toBe(identity.id)
    expect(lan.identity).toBe(identity)
    expect(lan.transport).toBeInstanceOf(SecureLanTransport)
    expect(lan.transport.localPeer).toBe(identity.id)
  })

  it('links members under their GUIDs and refuses a peer that takes a departed member\'s GUID without its key', async () => {
    const net = await loopbackMdns()
    const options = { interface: net.interface, mdnsBind: net.bind, mdnsPort: net.port, secret: 'the room secret', security }
    const errors: Array<[string, string, PeerId | undefined]> = []
    const join = async (identity: PeerIdentity, who: string): Promise<LanPeer> => {
      const lan = await joinLan('vault', {
        ...options, identity, onError: (e, from) => { if (e instanceof SecurityError) errors.push([who, e.code, from]) }
      })
      lans.push(lan)
      return lan
    }
    const [keyA, keyB, keyX] = await Promise.all([createIdentity('member-a'), createIdentity('member-b'), createIdentity('member-a')])
    const a = await join(keyA, 'a')
    const serverA = initServer('vault', { transport: a.transport, timing, identity: keyA })
    servers.push(serverA)
    await waitFor('member-a to lead', () => serverA.isServer(), SETTLE_MS)
    const b = await join(keyB, 'b')
    const serverB = initServer('vault', { transport: b.transport, timing, identity: keyB })
    servers.push(serverB)
    await waitFor('member-b to follow member-a', () => serverB.getSnapshot().coordinator === keyA.id && serverB.getSnapshot().successors.length === 2, SETTLE_MS,
      () => [serverB.getSnapshot(), errors])
    expect(serverB.getSnapshot().successors).toEqual([keyA.id, keyB.id])

    // member-a leaves; a peer with the room secret and its own key claims member-a's GUID (and so its place in the list).
    serverA.stop()
    await a.close()
    expect(keyX.id).not.toBe(keyA.id)
    const forged: PeerIdentity = { id: keyA.id, publicKey: keyX.publicKey, sign: (d) => keyX.sign(d), verifier: keyX.verifier }
    const x = await join(forged, 'x')
    // A peer on the transport starts its discovery and dialing.
    const forger = connect('vault', { transport: x.transport, timing })
    servers.push({ stop: () => forger.peer.stop() } as Server)
    await waitFor('member-b to refuse the forger', () => errors.some(([who, code, from]) => who === 'b' && code === 'auth-failed' && from === keyA.id), SETTLE_MS, () => errors)
    const refusal = errors.find(([who]) => who === 'b')
    expect(refusal).toEqual(['b', 'auth-failed', keyA.id])
    expect([...b.transport.peers()]).toEqual([])
    // (The forger itself may count the link up, since member-b's key checks out, but member-b never
    // does, so nothing of the room reaches it: it hears no coordinator below.)
    // member-b's view is untouched: the forger never became member-a.
    expect(serverB.getSnapshot().successors).toEqual([keyA.id, keyB.id])
    expect(forger.getSnapshot().coordinator).toBeNull()
  })
})
