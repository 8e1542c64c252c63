import { asPeerId, type PeerId } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { LostReason, MdnsDiscovery, type DirectoryEntry, type MdnsDiscoveryOptions } from '../src/index.js'
import { loopbackMdns, type LoopbackMdns } from '../src/testing/index.js'
import { waitFor } from './support/wait.js'
import makeMdns from 'multicast-dns'

type Event = { type: 'found'; entry: DirectoryEntry } | { type: 'lost'; peer: PeerId; reason: string }

/** A discovery on loopback that records its events. */
function make(net: LoopbackMdns, peer: string, extra: Partial<MdnsDiscoveryOptions> = {}): { d: MdnsDiscovery; log: Event[] } {
  const log: Event[] = []
  const d = new MdnsDiscovery({ app: 'disc-test', peerId: asPeerId(peer), ...net, queryIntervalMs: 60_000, ...extra })
  d.subscribe({ found: (entry) => log.push({ type: 'found', entry }), lost: (p, reason) => log.push({ type: 'lost', peer: p, reason }) })
  return { d, log }
}

describe('MdnsDiscovery on loopback', () => {
  const open: MdnsDiscovery[] = []
  const track = <T extends { d: MdnsDiscovery }>(x: T): T => {
    open.push(x.d)
    return x
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.close()))
  })

  it('finds a peer that starts later, with its address and port, and not itself', async () => {
    const net = await loopbackMdns()
    const a = track(make(net, 'alpha'))
    await a.d.start({ port: 4001, host: '127.0.0.1' })
    const b = track(make(net, 'beta'))
    await b.d.start({ port: 4002, host: '127.0.0.1' })
    await waitFor('both found', () => a.d.lookup(asPeerId('beta')) !== undefined && b.d.lookup(asPeerId('alpha')) !== undefined, 3000)
    expect(a.d.lookup(asPeerId('beta'))).toEqual({ peerId: 'beta', host: '127.0.0.1', port: 4002 })
    expect(b.d.lookup(asPeerId('alpha'))).toEqual({ peerId: 'alpha', host: '127.0.0.1', port: 4001 })
    expect(a.d.entries().map((e) => e.peerId)).toEqual(['beta'])
    expect(a.log.filter((e) => e.type === 'found')).toHaveLength(1)
    expect(a.d.stats().sendErrors).toBe(0)
  })

  it('ignores peers of another app', async () => {
    const net = await loopbackMdns()
    const a = track(make(net, 'alpha'))
    const gamma = track(make(net, 'gamma', { app: 'other-app' }))
    const delta = track(make(net, 'delta', { app: 'other-app' }))
    const b = track(make(net, 'beta'))
    await Promise.all([a.d.start({ port: 4001, host: '127.0.0.1' }), gamma.d.start({ port: 4003, host: '127.0.0.1' })])
    await Promise.all([b.d.start({ port: 4002, host: '127.0.0.1' }), delta.d.start({ port: 4004, host: '127.0.0.1' })])
    // Delta finding gamma proves gamma's records were on the wire that alpha listens to.
    await waitFor('gamma seen by its own app, beta by ours', () => delta.d.lookup(asPeerId('gamma')) !== undefined && a.d.lookup(asPeerId('beta')) !== undefined, 3000)
    expect(a.d.entries().map((e) => e.peerId)).toEqual(['beta'])
    expect(delta.d.entries().map((e) => e.peerId)).toEqual(['gamma'])
  })

  it('reports lost with reason goodbye when a peer closes', async () => {
    const net = await loopbackMdns()
    const a = track(make(net, 'alpha'))
    const b = make(net, 'beta')
    await a.d.start({ port: 4001, host: '127.0.0.1' })
    await b.d.start({ port: 4002, host: '127.0.0.1' })
    await waitFor('beta found', () => a.d.lookup(asPeerId('beta')) !== undefined, 3000)
    await b.d.close()
    await waitFor('beta lost', () => a.log.some((e) => e.type === 'lost'), 2000)
    expect(a.log.filter((e) => e.type === 'lost')).toEqual([{ type: 'lost', peer: 'beta', reason: LostReason.Goodbye }])
    expect(a.d.lookup(asPeerId('beta'))).toBeUndefined()
  })

  it('announces at start and again with backoff, and says goodbye with TTL 0 on close', async () => {
    const net = await loopbackMdns()
    const seen = await observe(net)
    try {
      const b = make(net, 'beta', { announceDelaysMs: [0, 300, 700] })
      const t0 = performance.now()
      await b.d.start({ port: 4002, host: '127.0.0.1' })
      await waitFor('three announcements', () => seen.responses.filter((r) => r.ttl > 0).length >= 4, 3000)
      await b.d.close()
      await waitFor('a goodbye', () => seen.responses.some((r) => r.ttl === 0), 2000)
      const times = seen.responses.filter((r) => r.ttl > 0).map((r) => r.at - t0)
      // One answer to beta's own start-up query, then the announcements at about 0, 300 and 700 ms.
      expect(times.length).toBeGreaterThanOrEqual(4)
      expect(times.at(-1)).toBeGreaterThan(600)
      expect(times.at(-2)).toBeGreaterThan(200)
      expect(seen.responses.filter((r) => r.ttl === 0)).toHaveLength(1)
      expect(b.d.stats().sendErrors).toBe(0)
    } finally {
      await seen.close()
    }
  })

  it('forget() drops a peer and re-queries, so a live peer is listed again', async () => {
    const net = await loopbackMdns()
    const a = track(make(net, 'alpha'))
    await a.d.start(undefined)
    const b = track(make(net, 'beta'))
    await b.d.start({ port: 4002, host: '127.0.0.1' })
    await waitFor('beta found', () => a.d.lookup(asPeerId('beta')) !== undefined, 2000)
    await waitFor('beta done announcing', () => b.d.stats().packetsSent >= 4, 3000)
    a.d.forget(asPeerId('beta'))
    expect(a.d.lookup(asPeerId('beta'))).toBeUndefined()
    await waitFor('beta found again', () => a.d.lookup(asPeerId('beta')) !== undefined, 2000)
    expect(a.log.map((e) => e.type)).toEqual(['found', 'lost', 'found'])
    expect(a.log[1]).toEqual({ type: 'lost', peer: 'beta', reason: LostReason.Forgotten })
  })

  it('takes the latest record when a peer restarts at another port', async () => {
    const net = await loopbackMdns()
    const a = track(make(net, 'alpha'))
    await a.d.start({ port: 4001, host: '127.0.0.1' })
    const first = make(net, 'beta', { announceDelaysMs: [0] })
    await first.d.start({ port: 4002, host: '127.0.0.1' })
    await waitFor('beta found', () => a.d.lookup(asPeerId('beta'))?.port === 4002, 2000)
    // A crash: the socket closes without a goodbye (no service to say it for).
    ;(first.d as unknown as { advertisement: undefined }).advertisement = undefined
    await first.d.close()
    const second = track(make(net, 'beta', { announceDelaysMs: [0] }))
    await second.d.start({ port: 4999, host: '127.0.0.1' })
    await waitFor('beta at its new port', () => a.d.lookup(asPeerId('beta'))?.port === 4999, 2000)
    expect(a.log.filter((e) => e.type === 'found').map((e) => e.type === 'found' && e.entry.port)).toEqual([4002, 4999])
    expect(a.log.some((e) => e.type === 'lost')).toBe(false)
  })

  it('drops a record that is not refreshed within its TTL', async () => {
    const net = await loopbackMdns()
    const a = track(make(net, 'alpha', { queryIntervalMs: 200 }))
    await a.d.start(undefined)
    const b = make(net, 'beta', { ttlSeconds: 1, announceDelaysMs: [0] })
    await b.d.start({ port: 4002, host: '127.0.0.1' })
    await waitFor('beta found', () => a.d.lookup(asPeerId('beta')) !== undefined, 2000)
    ;(b.d as unknown as { advertisement: undefined }).advertisement = undefined
    await b.d.close()
    await waitFor('beta expired', () => a.d.lookup(asPeerId('beta')) === undefined, 3000)
    expect(a.log.at(-1)).toEqual({ type: 'lost', peer: 'beta', reason: LostReason.Expired })
  })

  it('refuses to start without an explicit interface, and fails on an address this machine does not have', async () => {
    expect(() => new MdnsDiscovery({ app: 'x', peerId: asPeerId('p'), interface: '' })).toThrow(/interface/)
    const net = await loopbackMdns()
    const errors: Error[] = []
    // 192.0.2.1 (TEST-NET-1) is not assigned here: pinning the socket to it fails before anything is sent.
    const d = new MdnsDiscovery({ app: 'x', peerId: asPeerId('p'), ...net, interface: '192.0.2.1', onError: (e) => errors.push(e) })
    open.push(d)
    await expect(d.start({ port: 4001, host: '127.0.0.1' })).rejects.toThrow()
    expect(d.stats().packetsSent).toBe(0)
  })
})

/** A passive listener on the test's loopback mDNS port: records every sship PTR answer it hears. */
async function observe(net: LoopbackMdns): Promise<{ responses: { ttl: number; at: number }[]; close: () => Promise<void> }> {
  const responses: { ttl: number; at: number }[] = []
  const m = makeMdns({ interface: net.interface, bind: net.bind, port: net.port })
  m.on('response', (packet) => {
    for (const a of packet.answers) if (a.type === 'PTR' && a.name === '_sship._tcp.local') responses.push({ ttl: a.ttl ?? -1, at: performance.now() })
  })
  await new Promise<void>((resolve) => m.once('ready', resolve))
  return { responses, close: () => new Promise<void>((resolve) => m.destroy(() => resolve())) }
}
