import type { PeerId } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { RelayTransport, type WebrtcTransport } from '../src/index.js'
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
    for (let i = 0; i < n; i++) {
      const t = nodeTransport(`mesh-${i}`, [server.url], i + 1, { room: 'sship-mesh-test', mesh: { k: 2, maxLinks: 4 } })
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
    expect(Math.max(...links)).toBeLessThanOrEqual(4)
    expect(links.reduce((a, b) => a + b, 0) / 2, 'fewer links than a full mesh').toBeLessThan((n * (n - 1)) / 2)
    const first = relays[0] as RelayTransport
    const payload = new Uint8Array([7, 7, 7])
    for (const p of first.peers()) first.send(p, payload)
    await waitFor('the broadcast reached everyone', () => relays.slice(1).every((r) => got.get(r.localPeer)?.includes(first.localPeer) === true), 20_000)
    for (const r of relays.slice(1)) expect(got.get(r.localPeer)?.filter((p) => p === first.localPeer)).toHaveLength(1)
  }, 120_000)
})
