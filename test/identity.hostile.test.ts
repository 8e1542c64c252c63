/**
 * Issue [G], peer identities: a member with valid transport access forges terms, decisions,
 * heartbeats and GUIDs. With identities on, every honest replica ignores the forgery, the folded
 * state is untouched, the honest coordinator keeps serving, and the rejection is counted with a
 * typed code. The last test runs the same forgery without identities: it succeeds, so these
 * tests can fail. Seeded, virtual time.
 */
import { describe, expect, it } from 'vitest'
import { decisionSigningBytes, messages, requestSigningBytes, termSigningBytes, type Epoch, type PeerId, type TermKey, type TermRecord } from '@sship/core'
import { Cluster, checkCluster, type Member } from '@sship/core/testing'
import { joinRogue } from './support/rogue.js'

const key = (t: { epoch: number; leader: string; nonce: number }): string => `${t.epoch}:${t.leader}:${t.nonce.toString(36)}`

/** Three servers and a client; s00 leads; two requests decided. */
function world(identity = true): Cluster {
  const c = new Cluster({ seed: 7, servers: 3, clients: 1, identity }).start()
  c.run(2000)
  c.send('c00')
  c.send('s01')
  c.run(1000)
  expect(c.leaders().map((m) => m.id)).toEqual([c.member('s00').id])
  return c
}

const peers = (c: Cluster): Member[] => c.alive()
const headOf = (m: Member): string => {
  const h = m.connection?.peer.ledger.head()
  return h == null ? 'none' : key(h)
}
const rejected = (c: Cluster, code: string): number =>
  peers(c).reduce((n, m) => n + (m.connection?.peer.authority?.rejected[code] ?? 0), 0)
const reported = (c: Cluster, code: string): number => peers(c).reduce((n, m) => n + (m.connection?.peer.stats.errors[code] ?? 0), 0)

/** Checks that nothing forged counts anywhere and that s00 still serves a new request exactly once. */
function honestStill(c: Cluster, head: string): void {
  for (const m of peers(c)) {
    expect(headOf(m), `${m.id}'s head`).toBe(head)
    expect(JSON.stringify(m.connection?.getState()), `${m.id}'s state`).not.toContain('forged')
  }
  const rec = c.send('c00')
  c.run(2000)
  expect(rec.ackAt, 'the honest coordinator decides a new request').toBeDefined()
  expect(c.leaders().map((m) => m.id)).toEqual([c.member('s00').id])
  expect(checkCluster(c)).toEqual([])
}

describe('peer identity: forged coordinator entries are ignored by every honest replica', () => {
  it('(a) a term at a higher epoch naming the honest leader: unsigned it waits forever, with a copied key and a bad signature it is rejected', () => {
    const c = world()
    const s00 = c.member('s00')
    const head = headOf(s00)
    const honest = s00.connection!.peer.ledger.head()!
    const rogue = joinRogue(c, 'rogue')
    const forged: TermRecord = { epoch: 99 as Epoch, leader: s00.id, nonce: 5, parent: key(honest) as TermRecord['parent'], parentCount: 0, ...(honest.i !== undefined ? { i: honest.i } : {}) }
    rogue.forge('s00', (doc) => doc.getMap('sship.terms').set(key(forged), { ...forged }))
    c.run(1000)
    for (const m of peers(c)) expect(m.connection?.peer.ledger.unverifiedEntries(), `${m.id} holds the unsigned term aside`).toBe(1)
    // The honest leader's public key is public (in its term's signature entry): copy it, sign garbage.
    rogue.forge('s00', (doc) => {
      const honestKey = (doc.getMap('sship.sigs').get(key(honest)) as { k: Uint8Array }).k
      doc.getMap('sship.sigs').set(key(forged), { k: honestKey, s: new Uint8Array(32).fill(7) })
    })
    c.run(1000)
    expect(rejected(c, 'bad-signature')).toBe(peers(c).length)
    expect(reported(c, 'bad-signature')).toBe(peers(c).length)
    honestStill(c, head)
  })

  it('(a) a term at a higher epoch naming itself, listed as eligible, and its heartbeats: ignored unless it signs them itself', () => {
    const c = world()
    const head = headOf(c.member('s00'))
    const rogue = joinRogue(c, 'rogue')
    const code = c.member('s00').connection!.peer.app.code()
    const i = c.member('s00').connection!.peer.app.instance()
    const forged = { epoch: 50 as Epoch, leader: rogue.id, nonce: 1, parent: null, parentCount: 0, i }
    rogue.forge('s00', (doc) => {
      doc.getArray('sship.successors').push([{ id: rogue.id, code, i }])
      doc.getMap('sship.terms').set(key(forged), forged)
    })
    const hb = messages.encodeHeartbeat({ ...forged, viewVersion: 1, digest: 0, count: 0, committed: 0 })
    for (let i = 0; i < 10; i++) {
      for (const m of peers(c)) rogue.send(m.id, hb)
      c.run(100)
    }
    for (const m of peers(c)) expect(m.connection?.getSnapshot().epoch, `${m.id} never saw epoch 50`).toBeLessThan(50)
    honestStill(c, head)
  })

  it('(b) a decision for a pending request, in the honest term: rejected, the request is decided once by the server', () => {
    const c = world()
    const s00 = c.member('s00')
    const head = headOf(s00)
    const term = s00.connection!.peer.ledger.head()!
    const rogue = joinRogue(c, 'rogue')
    const rec = c.send('c00')
    const seq = s00.connection!.peer.ledger.countOf(key(term) as TermKey)
    // Before the server hears of the request: the forgery takes the decision's very key.
    rogue.forge('c00', (doc) => {
      const k = `${key(term)}#${seq}`
      doc.getMap('sship.decisions').set(k, { r: rec.id, o: [{ patch: { forged: true, seen: { [rec.token]: 99 } } }], y: { forged: true } })
      doc.getMap('sship.sigs').set(k, { s: new Uint8Array(64).fill(1) })
    })
    c.run(2000)
    expect(rec.reply).toEqual({ token: rec.token, n: 1 })
    expect(rejected(c, 'bad-signature')).toBeGreaterThan(0)
    honestStill(c, head)
  })

  it('(c) a replayed old signed term: as it was it changes nothing; under a higher epoch its signature fails', () => {
    const c = world()
    const s00 = c.member('s00')
    // A failover and a failback give s00 a newer term, so its first one is old.
    const first = s00.connection!.peer.ledger.head()!
    c.crash('s00')
    c.run(2000)
    c.restart('s00')
    c.run(6000)
    const head = headOf(c.member('s00'))
    expect(head).not.toBe(key(first))
    const rogue = joinRogue(c, 'rogue')
    rogue.forge('s01', (doc) => {
      const sig = doc.getMap('sship.sigs').get(key(first))
      const old = doc.getMap('sship.terms').get(key(first)) as TermRecord
      doc.getMap('sship.terms').set(key(first), { ...old })
      doc.getMap('sship.sigs').set(key(first), sig)
      const bumped = { ...old, epoch: 1000 as Epoch }
      doc.getMap('sship.terms').set(key(bumped), bumped)
      doc.getMap('sship.sigs').set(key(bumped), sig)
    })
    c.run(1000)
    expect(rejected(c, 'bad-signature')).toBe(peers(c).length)
    honestStill(c, head)
  })

  it("(d) a GUID with the leader's label but the rogue's own key: its key does not match the honest GUID", () => {
    const c = world()
    const s00 = c.member('s00')
    const head = headOf(s00)
    const honest = s00.connection!.peer.ledger.head()!
    const impostor = c.keyring!.identity('s00')
    expect(impostor.id).not.toBe(s00.id)
    const rogue = joinRogue(c, impostor.id)
    const code = s00.connection!.peer.app.code()
    // Signed correctly by the impostor, but naming the honest GUID: the key is not s00's.
    const asHonest: TermRecord = { epoch: 40 as Epoch, leader: s00.id, nonce: 2, parent: key(honest) as TermRecord['parent'], parentCount: 0, ...(honest.i !== undefined ? { i: honest.i } : {}) }
    // And a term of the impostor's own GUID, signed, by a peer that is not listed: a non-member's.
    const own: TermRecord = { epoch: 41 as Epoch, leader: impostor.id, nonce: 3, parent: key(honest) as TermRecord['parent'], parentCount: 0, ...(honest.i !== undefined ? { i: honest.i } : {}) }
    const sign = (t: TermRecord): { k: Uint8Array; s: Uint8Array } => ({ k: impostor.publicKey, s: impostor.sign(termSigningBytes('sim', t)) as Uint8Array })
    rogue.forge('s00', (doc) => {
      doc.getMap('sship.terms').set(key(asHonest), { ...asHonest })
      doc.getMap('sship.sigs').set(key(asHonest), sign(asHonest))
      doc.getMap('sship.terms').set(key(own), { ...own })
      doc.getMap('sship.sigs').set(key(own), sign(own))
      const k = `${key(honest)}#50`
      doc.getMap('sship.decisions').set(k, { r: null, o: [{ patch: { forged: true } }] })
      doc.getMap('sship.sigs').set(k, { s: impostor.sign(decisionSigningBytes('sim', k, { r: null, o: [{ patch: { forged: true } }] })) as Uint8Array })
    })
    c.run(1000)
    expect(rejected(c, 'key-mismatch')).toBe(peers(c).length)
    expect(code).toBeDefined()
    honestStill(c, head)
  })

  it("(e) a request in another peer's name: unsigned it is never decided, signed with the forger's key it is rejected", () => {
    const c = world()
    const head = headOf(c.member('s00'))
    const victim = c.member('c00')
    const forger = c.keyring!.identity('c00')
    const rogue = joinRogue(c, forger.id)
    const unsigned = `${victim.id}/forged.0`
    const misSigned = `${victim.id}/forged.1`
    rogue.forge('s00', (doc) => {
      doc.getMap('sship.requests').set(unsigned, { m: { token: 'forged-a' } })
      doc.getMap('sship.requests').set(misSigned, { m: { token: 'forged-b' } })
      const bytes = requestSigningBytes('sim', misSigned, { m: { token: 'forged-b' } })
      doc.getMap('sship.sigs').set(misSigned, { k: forger.publicKey, s: forger.sign(bytes) as Uint8Array })
    })
    c.run(2000)
    for (const m of peers(c)) {
      expect(m.connection?.peer.ledger.pending().size, `${m.id} has nothing pending`).toBe(0)
      expect(JSON.stringify(m.connection?.getState())).not.toContain('forged')
    }
    expect(rejected(c, 'key-mismatch')).toBe(peers(c).length)
    honestStill(c, head)
  })

  it('an epoch far above the parent is refused even when signed by an eligible peer', () => {
    const c = world()
    const s01 = c.member('s01')
    const head = headOf(c.member('s00'))
    const honest = c.member('s00').connection!.peer.ledger.head()!
    const rogue = joinRogue(c, 'rogue')
    const jump: TermRecord = { epoch: (honest.epoch + 2 ** 21) as Epoch, leader: s01.id, nonce: 9, parent: key(honest) as TermRecord['parent'], parentCount: 0, ...(honest.i !== undefined ? { i: honest.i } : {}) }
    rogue.forge('s00', (doc) => {
      doc.getMap('sship.terms').set(key(jump), { ...jump })
      doc.getMap('sship.sigs').set(key(jump), { k: s01.identity!.publicKey, s: s01.identity!.sign(termSigningBytes('sim', jump)) as Uint8Array })
    })
    c.run(1000)
    expect(rejected(c, 'epoch-jump')).toBe(peers(c).length)
    honestStill(c, head)
  })

  it('control: without identities a request forged in another peer\'s name is decided', () => {
    const c = world(false)
    const rogue = joinRogue(c, 'rogue')
    rogue.forge('s00', (doc) => doc.getMap('sship.requests').set(`${c.member('c00').id}/forged.0`, { m: { token: 'forged-a' } }))
    c.run(2000)
    expect(c.member('s01').connection?.getState().seen).toMatchObject({ 'forged-a': 1 })
  })

  it('control: without identities the same forged term takes the server role away (so the tests above can fail)', () => {
    const c = world(false)
    const rogue = joinRogue(c, 'rogue')
    const code = c.member('s00').connection!.peer.app.code()
    const i = c.member('s00').connection!.peer.app.instance()
    const forged = { epoch: 50 as Epoch, leader: rogue.id as PeerId, nonce: 1, parent: null, parentCount: 0, i }
    rogue.forge('s00', (doc) => {
      doc.getArray('sship.successors').push([{ id: rogue.id, code, i }])
      doc.getMap('sship.terms').set(key(forged), forged)
    })
    c.run(1000)
    // Every replica took the forged term: s00 was deposed and the epochs jumped to the forger's.
    for (const m of peers(c)) expect(m.connection?.getSnapshot().epoch, m.id).toBeGreaterThanOrEqual(50)
    expect(c.events.some((e) => e.peer === c.member('s00').id && e.event.type === 'stepped-down')).toBe(true)
  })
})
