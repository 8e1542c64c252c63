/**
 * SecureTransport with peer identities (issue [G]): the handshake's identity step binds each
 * link's peer id to the key of its self-certifying GUID, and an ephemeral ECDH keeps the session
 * keys from other members who hold the room secret. Real WebCrypto keys; the network is the
 * deterministic memory network, settled between steps.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError, connect, initServer, type SendResult } from '@sship/core'
import { WebCryptoIdentity, type PeerIdentity } from '@sship/core/security'
import { messages, seededRandom } from '@sship/core/internals'
import { MemoryNetwork, type VirtualClock } from '@sship/core/testing'
import { Log, secureNode, settle, type SecureNode } from './secureSupport.js'
import { decodeSecureFrame, SecureFrameType } from '../src/security/secureFrames.js'

const SECRET = 'room secret: 5e1d0c9b8a7f6e5d'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

async function pair(network: MemoryNetwork, a: PeerIdentity, b: PeerIdentity, bIdentity: PeerIdentity | null = b): Promise<[SecureNode, SecureNode, Log, Log]> {
  const na = secureNode(network, a.id, SECRET, { identity: a })
  const nb = secureNode(network, b.id, SECRET, bIdentity === null ? {} : { identity: bIdentity })
  const [la, lb] = [new Log(), new Log()]
  na.secure.connect(la)
  nb.secure.connect(lb)
  await settle(network, [na.secure, nb.secure])
  return [na, nb, la, lb]
}

describe('SecureTransport with peer identities', () => {
  it('joins two peers that prove their GUIDs; frames pass both ways', async () => {
    const network = new MemoryNetwork({ seed: 31 })
    const [alice, bob] = await Promise.all([WebCryptoIdentity.generate('alice'), WebCryptoIdentity.generate('bob')])
    const [a, b, la, lb] = await pair(network, alice, bob)
    expect(la.joined).toEqual([bob.id])
    expect(lb.joined).toEqual([alice.id])
    a.secure.send(bob.id, text('hello bob'))
    b.secure.send(alice.id, text('hello alice'))
    await settle(network, [a.secure, b.secure])
    expect(lb.textFrom(alice.id)).toEqual(['hello bob'])
    expect(la.textFrom(bob.id)).toEqual(['hello alice'])
    expect([...a.errors, ...b.errors]).toEqual([])
    // The identity step went on the wire: ECDH share, the SPKI key, a 64-byte ECDSA signature.
    const step = a.tap.sent.map((f) => decodeSecureFrame(f.data)).find((f) => f.type === SecureFrameType.Identity)
    expect(step?.type === SecureFrameType.Identity ? [step.ecdh.byteLength, step.signature.byteLength] : []).toEqual([65, 64])
  })

  it("refuses a member that holds the secret but claims another peer's GUID with its own key", async () => {
    const network = new MemoryNetwork({ seed: 32 })
    const [alice, bob, mallory] = await Promise.all([WebCryptoIdentity.generate('alice'), WebCryptoIdentity.generate('bob'), WebCryptoIdentity.generate('mallory')])
    // Mallory runs on bob's peer id and signs with her own key.
    const liar: PeerIdentity = { id: bob.id, publicKey: mallory.publicKey, sign: (d) => mallory.sign(d), verifier: mallory.verifier }
    const [a, , la] = await pair(network, alice, bob, liar)
    expect(la.joined).toEqual([])
    expect([...a.secure.peers()]).toEqual([])
    expect(a.errors.map((e) => e.error.code)).toEqual(['auth-failed'])
    expect(a.errors[0]?.error.message).toContain('not the one of its GUID')
  })

  it('refuses a signature that does not bind this session, and never joins a peer without an identity', async () => {
    const network = new MemoryNetwork({ seed: 33 })
    const [alice, bob] = await Promise.all([WebCryptoIdentity.generate('alice'), WebCryptoIdentity.generate('bob')])
    const badSigner: PeerIdentity = { id: bob.id, publicKey: bob.publicKey, verifier: bob.verifier, sign: (d) => bob.sign(new Uint8Array([...d, 1])) }
    const [a, , la] = await pair(network, alice, bob, badSigner)
    expect(la.joined).toEqual([])
    expect(a.errors.map((e) => e.error.code)).toEqual(['auth-failed'])

    const network2 = new MemoryNetwork({ seed: 34 })
    const [c, , lc] = await pair(network2, alice, bob, null)
    expect(lc.joined).toEqual([])
    expect([...c.secure.peers()]).toEqual([])
  })

  it('a member that records the handshake cannot derive the session keys any more (ECDH)', async () => {
    const network = new MemoryNetwork({ seed: 35 })
    const [alice, bob] = await Promise.all([WebCryptoIdentity.generate('alice'), WebCryptoIdentity.generate('bob')])
    const [a, b] = await pair(network, alice, bob)
    a.secure.send(bob.id, text('for bob only'))
    await settle(network, [a.secure, b.secure])
    // Replaying alice's frames into a fresh session of bob's fails: keys differ per ECDH share.
    const frames = a.tap.sent.filter((f) => f.to === bob.id && f.data[1] === 3)
    expect(frames.length).toBe(1)
    const network2 = new MemoryNetwork({ seed: 36 })
    const [, b2, , lb2] = await pair(network2, alice, bob)
    for (const f of frames) b2.tap.inject(alice.id, f.data)
    await settle(network2, [b2.secure])
    expect(lb2.textFrom(alice.id)).toEqual([])
    expect(b2.errors.map((e) => e.error.code)).toEqual(['decrypt-failed'])
  })

  it('refuses an identity whose id is not the inner peer id', async () => {
    const network = new MemoryNetwork({ seed: 37 })
    const alice = await WebCryptoIdentity.generate('alice')
    expect(() => secureNode(network, 'someone-else', SECRET, { identity: alice })).toThrow(ConfigError)
  })

  it('an app over it: signed entries on authenticated links; a member cannot send heartbeats in the server\'s name', async () => {
    const network = new MemoryNetwork({ seed: 38 })
    const clock: VirtualClock = network.clock
    const [host, guest, mallory] = await Promise.all([WebCryptoIdentity.generate('host'), WebCryptoIdentity.generate('guest'), WebCryptoIdentity.generate('host')])
    const s = secureNode(network, host.id, SECRET, { identity: host })
    const c = secureNode(network, guest.id, SECRET, { identity: guest })
    const nodes = [s, c]
    const run = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 5) {
        clock.advance(5)
        await Promise.all(nodes.map((n) => n.secure.idle()))
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    }
    const server = initServer('signed', { transport: s.secure, clock, random: seededRandom(1), identity: host, onReceive: (msg) => msg })
    await run(400)
    const client = connect('signed', { transport: c.secure, clock, random: seededRandom(2), identity: guest })
    await run(300)
    let result: SendResult | undefined
    void client.send({ n: 1 }).then((r) => {
      result = r
    })
    for (let i = 0; i < 100 && result === undefined; i++) await run(20)
    expect(result?.status).toBe('acknowledged')
    expect(client.peer.authority?.verifications.done).toBeGreaterThanOrEqual(2)
    // Mallory holds the secret and took the label "host"; her link is authenticated as her own
    // GUID, so a heartbeat she sends in the host's name at a higher epoch is not the host's.
    const head = client.peer.ledger.head()!
    const m = secureNode(network, mallory.id, SECRET, { identity: mallory })
    nodes.push(m)
    m.secure.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
    await run(100)
    const hb = messages.encodeHeartbeat({ epoch: (head.epoch + 7) as typeof head.epoch, leader: host.id, nonce: 1, viewVersion: 1, digest: 0, count: 0, committed: 0 })
    m.secure.send(guest.id, hb)
    await run(500)
    expect(client.getSnapshot().epoch).toBe(head.epoch)
    expect(client.getSnapshot().coordinator).toBe(host.id)
    server.stop()
    client.peer.stop()
    m.secure.close()
  })
})
