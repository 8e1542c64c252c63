import type { PeerId, TransportEvents } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { WebrtcTransport } from '../src/index.js'
import { SignalingServer } from '../src/server/index.js'
import { nodeTransport, peerIds, sleep, waitFor } from './support/nodePeers.js'

/** Records what one transport reports. */
class Events implements TransportEvents {
  readonly frames: { from: PeerId; data: Uint8Array }[] = []
  readonly left: PeerId[] = []
  peerJoined(): void {}
  peerLeft(peer: PeerId): void {
    this.left.push(peer)
  }
  frame(from: PeerId, data: Uint8Array): void {
    this.frames.push({ from, data })
  }
}

/** A loopback URL on which nothing listens (a server started and stopped again). */
async function deadUrl(): Promise<string> {
  const server = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
  const url = server.url
  await server.close()
  return url
}

describe('WebrtcTransport and its signaling servers (Node peers, loopback only)', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo()
  })

  const start = (transports: WebrtcTransport[]): Events[] => transports.map((t) => {
    const events = new Events()
    t.connect(events)
    cleanup.push(() => t.close())
    return events
  })

  it('keeps frames flowing between linked peers after every signaling server is stopped', async () => {
    const server = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
    cleanup.push(() => server.close())
    const ids = peerIds(3)
    const transports = ids.map((id, i) => nodeTransport(id, [server.url], i + 1))
    const events = start(transports)
    const linkedMs = await waitFor('three linked peers', () => transports.every((t) => t.peers().size === 2))
    await server.close()
    await waitFor('every peer to notice signaling is down', () => transports.every((t) => t.signalingUrls().length === 0))
    transports.forEach((t, i) => t.send(ids[(i + 1) % 3] as PeerId, new Uint8Array([i, 42])))
    await waitFor('a frame at every peer', () => events.every((e) => e.frames.length === 1))
    events.forEach((e, i) => {
      expect(e.frames[0]?.from).toBe(ids[(i + 2) % 3])
      expect([...(e.frames[0]?.data ?? [])]).toEqual([(i + 2) % 3, 42])
      expect(e.left).toEqual([])
    })
    console.info(`webrtc: 3 peers linked in ${linkedMs.toFixed(0)} ms`)
  })

  it('lets peers that share any one of several signaling servers meet, whichever servers are down', async () => {
    const live = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
    cleanup.push(() => live.close())
    const dead = await deadUrl()
    const [a, b, c] = peerIds(3) as [PeerId, PeerId, PeerId]
    const transports = [
      nodeTransport(a, [dead, live.url], 1),
      nodeTransport(b, [live.url, dead], 2),
      nodeTransport(c, [live.url], 3)
    ]
    start(transports)
    await waitFor('three linked peers', () => transports.every((t) => t.peers().size === 2))
    expect(transports.map((t) => t.signalingUrls())).toEqual([[live.url], [live.url], [live.url]])
  })

  it('redials a signaling server that comes back, so a peer arriving later still finds the others', async () => {
    const first = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
    const port = first.port
    const ids = peerIds(3)
    const early = [nodeTransport(ids[0] as PeerId, [first.url], 1), nodeTransport(ids[1] as PeerId, [first.url], 2)]
    start(early)
    await waitFor('two linked peers', () => early.every((t) => t.peers().size === 1))
    await first.close()
    await sleep(100)
    const again = await SignalingServer.start({ host: '127.0.0.1', port })
    cleanup.push(() => again.close())
    const late = nodeTransport(ids[2] as PeerId, [again.url], 3)
    start([late])
    // Each side opens when it has the other's Hello, so the two ends of a link open a moment apart.
    const rejoinMs = await waitFor('the late peer linked to both, both ways', () => [...early, late].every((t) => t.peers().size === 2))
    console.info(`webrtc: late peer linked ${rejoinMs.toFixed(0)} ms after joining a restarted signaling server`)
  })
})
