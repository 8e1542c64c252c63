import type { PeerId } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { linkedInMesh, MeshHealer, RelayTransport, type WebrtcTransport } from '../src/index.js'
import { SignalingServer } from '../src/server/index.js'
import { nodeTransport, waitFor } from './support/nodePeers.js'

describe('a capped WebRTC mesh under the relay layer (Node peers, loopback)', () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it('links each peer to at most maxLinks others, yet every peer reaches every other and frames arrive', async () => {
    const server = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
    cleanup.push(() => server.close())
    const n = 8
    const inner: WebrtcTransport[] = []
    const relays: RelayTransport[] = []
    const got = new Map<PeerId, PeerId[]>()
    const errors: string[] = []
    for (let i = 0; i < n; i++) {
      const t = nodeTransport(`mesh-${i}`, [server.url], i + 1, { room: 'sship-mesh-test', mesh: { k: 1, maxLinks: 5 }, onError: (e) => errors.push(`${i}: ${e.message}`) })
      const relay = new RelayTransport({ inner: t, incarnation: 1 })
      const id = t.localPeer
      got.set(id, [])
      relay.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: (from) => got.get(id)?.push(from) })
      inner.push(t)
      relays.push(relay)
      cleanup.push(() => relay.close())
    }
    await waitFor('every peer reaches every other', () => relays.every((r) => r.peers().size === n - 1), 60_000)
    const links = inner.map((t) => t.peers().size)
    expect(Math.max(...links)).toBeLessThanOrEqual(5)
    expect(links.reduce((a, b) => a + b, 0) / 2, 'fewer links than a full mesh').toBeLessThan((n * (n - 1)) / 2)
    const first = relays[0] as RelayTransport
    const payload = new Uint8Array([7, 7, 7])
    for (const p of first.peers()) first.send(p, payload)
    await waitFor('the broadcast reached everyone', () => relays.slice(1).every((r) => got.get(r.localPeer)?.includes(first.localPeer) === true), 20_000)
    for (const r of relays.slice(1)) expect(got.get(r.localPeer)?.filter((p) => p === first.localPeer)).toHaveLength(1)

    // Every signaling server (every Node host) gone: a new link is negotiated through the mesh.
    for (let i = 0; i < n; i++) (inner[i] as WebrtcTransport).useMeshSignals(relays[i] as RelayTransport)
    await server.close()
    await waitFor('no signaling server left', () => inner.every((t) => t.signalingUrls().length === 0), 10_000)
    const pair = unlinkedPair(inner)
    expect(pair, 'a pair without a link').toBeDefined()
    const [x, y] = pair as [WebrtcTransport, WebrtcTransport]
    x.link(y.localPeer)
    await waitFor(`a link made through the mesh (errors: ${errors.join('; ')})`, () => x.peers().has(y.localPeer) && y.peers().has(x.localPeer), 20_000)
  }, 120_000)

  it('heals by itself with every signaling server gone: a departure makes the rule pick new pairs, and they link through the mesh', async () => {
    const server = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
    cleanup.push(() => server.close())
    const n = 8
    const k = 1
    const inner: WebrtcTransport[] = []
    const relays: RelayTransport[] = []
    const healers: MeshHealer[] = []
    const errors: string[] = []
    for (let i = 0; i < n; i++) {
      const t = nodeTransport(`heal-${i}`, [server.url], i + 1, { room: 'sship-heal-test', mesh: { k, maxLinks: 6 }, onError: (e) => errors.push(`${i}: ${e.message}`) })
      const relay = new RelayTransport({ inner: t, incarnation: 1 })
      t.useMeshSignals(relay)
      relay.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
      const healer = new MeshHealer({ links: t, mesh: relay, k, maxLinks: 6 })
      healer.start()
      inner.push(t)
      relays.push(relay)
      healers.push(healer)
      cleanup.push(() => {
        healer.stop()
        relay.close()
      })
    }
    await waitFor('every peer reaches every other', () => relays.every((r) => r.peers().size === n - 1), 60_000)
    await server.close()
    await waitFor('no signaling server left', () => inner.every((t) => t.signalingUrls().length === 0), 10_000)
    const before = healers.reduce((s, h) => s + h.opened, 0)
    // The peer that leaves is one whose departure changes the rule's pairs among the others.
    const ids = inner.map((t) => t.localPeer)
    const leaving = ids.findIndex((gone) => {
      const rest = ids.filter((p) => p !== gone)
      return rest.some((a) => rest.some((b) => a < b && linkedInMesh(a, b, rest, k) && !linkedInMesh(a, b, ids, k)))
    })
    expect(leaving, 'a departure that moves links').toBeGreaterThanOrEqual(0)
    healers[leaving]?.stop()
    relays[leaving]?.close()
    const rest = inner.filter((_, i) => i !== leaving)
    const restIds = rest.map((t) => t.localPeer)
    const missing = (): string[] => rest.flatMap((a) => rest.flatMap((b) =>
      a.localPeer < b.localPeer && linkedInMesh(a.localPeer, b.localPeer, restIds, k) && !(a.peers().has(b.localPeer) && b.peers().has(a.localPeer)) ? [`${a.localPeer}-${b.localPeer}`] : []))
    await waitFor(`every pair the rule now wants is linked, with no server (errors: ${errors.join('; ')})`, () => missing().length === 0, 30_000)
    expect(healers.reduce((s, h) => s + h.opened, 0), 'the healer opened the new links').toBeGreaterThan(before)
    await waitFor('every survivor reaches every other', () => rest.every((t) => relays[inner.indexOf(t)]?.peers().size === n - 2), 30_000)
  }, 120_000)
})

function unlinkedPair(ts: readonly WebrtcTransport[]): [WebrtcTransport, WebrtcTransport] | undefined {
  // Both below the cap (5), or the offer would be refused.
  const room = (t: WebrtcTransport): boolean => t.getLinks().length < 5
  for (const a of ts) for (const b of ts) if (a !== b && room(a) && room(b) && !a.peers().has(b.localPeer)) return [a, b]
  return undefined
}
