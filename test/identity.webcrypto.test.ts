/**
 * Peer identities with real WebCrypto keys (ECDSA P-256): the key pair and its GUID, and three
 * peers end to end on the in-memory network. WebCrypto answers asynchronously, so between steps
 * of the virtual clock the test yields to the event loop (real timers; no timing assertions, and
 * every wait is bounded in steps).
 */
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { connect, initServer, type Server } from '@sship/core'
import { WebCryptoIdentity, guidLabel, guidMatchesKey, webCryptoVerifier } from '@sship/core/security'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork, tokenCounter } from '@sship/core/testing'
import { syncFrame } from './support/hostileWorld.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('WebCryptoIdentity', () => {
  it('binds the GUID to the key: signatures verify under it, not under another key or for other data', async () => {
    const alice = await WebCryptoIdentity.generate('alice')
    const bob = await WebCryptoIdentity.generate('alice')
    expect(guidLabel(alice.id)).toBe('alice')
    expect(alice.id).not.toBe(bob.id)
    expect(guidMatchesKey(alice.id, alice.publicKey)).toBe(true)
    expect(guidMatchesKey(alice.id, bob.publicKey)).toBe(false)
    const sig = await alice.sign(bytes('term 7'))
    expect(sig.byteLength).toBe(64)
    expect(await webCryptoVerifier.verify(alice.publicKey, bytes('term 7'), sig)).toBe(true)
    expect(await webCryptoVerifier.verify(alice.publicKey, bytes('term 8'), sig)).toBe(false)
    expect(await webCryptoVerifier.verify(bob.publicKey, bytes('term 7'), sig)).toBe(false)
    await expect(webCryptoVerifier.verify(bytes('not a key'), bytes('x'), sig)).rejects.toThrow()
  })

  it('exports and imports a key pair (for @sship/persist): same GUID, its signatures verify', async () => {
    const original = await WebCryptoIdentity.generate('node', { extractable: true })
    const again = await WebCryptoIdentity.import(await original.export())
    expect(again.id).toBe(original.id)
    expect(await webCryptoVerifier.verify(original.publicKey, bytes('x'), await again.sign(bytes('x')))).toBe(true)
    await expect((await WebCryptoIdentity.generate('locked')).export()).rejects.toThrow()
  })
})

describe('three peers with WebCrypto identities', () => {
  it('sign and verify every term and decision; a failover works; a forged term is rejected', async () => {
    const network = new MemoryNetwork({ seed: 3 })
    const clock = network.clock
    const ids = await Promise.all(['a', 'b', 'c'].map((l) => WebCryptoIdentity.generate(l)))
    const servers: Server[] = []
    const start = (i: number): Server => {
      const identity = ids[i]!
      const s = initServer('crypto', { transport: network.transport(identity.id), clock, random: seededRandom(10 + i), identity })
      s.onReceive(tokenCounter(s))
      servers.push(s)
      return s
    }
    /** True while WebCrypto still works for some peer: a verification, or a signature not written yet. */
    const busy = (): boolean => servers.some((s) => {
      const a = s.peer.authority!
      const rejected = Object.values(a.rejected).reduce((n, x) => n + x, 0)
      return !s.peer.isStopped && (a.verifications.pending > 0 || s.peer.ledger.unverifiedEntries() > rejected)
    })
    /**
     * Advances virtual time in 10 ms steps until `done` (at most `steps` steps). Between steps it
     * lets WebCrypto finish (at most 50 real waits of 2 ms): real signing takes well under a
     * millisecond, so virtual time must not run ahead of it.
     */
    const until = async (done: () => boolean, steps = 1500): Promise<boolean> => {
      for (let i = 0; i < steps && !done(); i++) {
        clock.advance(10)
        await new Promise((resolve) => setImmediate(resolve))
        for (let j = 0; j < 50 && busy(); j++) await new Promise((resolve) => setTimeout(resolve, 2))
      }
      return done()
    }
    start(0)
    expect(await until(() => servers[0]!.getSnapshot().isServer)).toBe(true)
    start(1)
    start(2)
    const client = connect('crypto', { peer: servers[2]!.peer })
    const sent = client.send({ token: 't1' })
    expect(await until(() => client.getRequests()[0]?.status === 'acknowledged')).toBe(true)
    expect(await sent).toMatchObject({ status: 'acknowledged', reply: { token: 't1', n: 1 } })
    const settled = (): boolean => servers.every((s) => s.peer.ledger.unverifiedEntries() === 0 && s.peer.authority!.verifications.pending === 0)
    expect(await until(settled)).toBe(true)
    for (const s of servers.slice(1)) {
      expect(s.peer.authority!.verifications.done, 'followers verified the term and the decision').toBeGreaterThanOrEqual(2)
      expect(s.peer.authority!.rejected).toEqual({})
      expect(s.getState()).toEqual({ seen: { t1: 1 } })
    }

    // Failover: the first peer vanishes; the next one claims a new, signed term.
    network.crash(ids[0]!.id)
    servers[0]!.peer.stop()
    // Both survivors may claim at once (availability mode); the greater term wins, both follow it.
    const survivors = servers.slice(1)
    const agreed = (): boolean => {
      const c = survivors.map((s) => s.getSnapshot().coordinator)
      return c[0] !== null && c[0] !== ids[0]!.id && c.every((x) => x === c[0]) && survivors.filter((s) => s.getSnapshot().isServer).length === 1
    }
    expect(await until(agreed)).toBe(true)
    const leader = survivors.find((s) => s.getSnapshot().isServer)!
    const second = client.send({ token: 't2' })
    expect(await until(() => client.getRequests()[1]?.status === 'acknowledged')).toBe(true)
    expect(await second).toMatchObject({ status: 'acknowledged', reply: { token: 't2', n: 1 } })

    // A member copies the new leader's public key into a forged term at a higher epoch.
    const head = servers[2]!.peer.ledger.head()!
    const headKey = `${head.epoch}:${head.leader}:${head.nonce.toString(36)}`
    const rogue = network.transport(ids[0]!.id)
    rogue.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
    await until(() => false, 5)
    const doc = new Y.Doc()
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(servers[2]!.peer.doc))
    const sv = Y.encodeStateVector(doc)
    const forged = { epoch: head.epoch + 5, leader: head.leader, nonce: 1, parent: headKey, parentCount: 0 }
    const forgedKey = `${forged.epoch}:${forged.leader}:1`
    doc.getMap('sship.terms').set(forgedKey, forged)
    doc.getMap('sship.sigs').set(forgedKey, { k: (doc.getMap('sship.sigs').get(headKey) as { k: Uint8Array }).k, s: new Uint8Array(64).fill(3) })
    for (const s of servers.slice(1)) rogue.send(s.peer.self, syncFrame(syncProtocol.messageYjsUpdate, Y.encodeStateAsUpdate(doc, sv)))
    expect(await until(() => servers.slice(1).every((s) => s.peer.authority!.rejected['bad-signature'] === 1))).toBe(true)
    for (const s of servers.slice(1)) expect(s.peer.ledger.head()?.epoch).toBe(head.epoch)
    expect(leader.getSnapshot().isServer).toBe(true)
    expect(agreed()).toBe(true)
    for (const s of servers) s.peer.stop()
  })
})
