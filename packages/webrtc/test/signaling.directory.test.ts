import { asPeerId, initServer, type PeerId, type TransportEvents } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { VirtualClock } from '@sship/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { followSignaling, publishSignaling, WebrtcError, WebrtcTransport, type SignalingSocket } from '../src/index.js'
import { SignalingServer } from '../src/server/index.js'
import { nodeTransport, waitFor } from './support/nodePeers.js'

/** A WebSocket that records being dialed and never connects: enough to watch the pool without a network. */
function recordingSocket(dialed: string[]) {
  return class implements SignalingSocket {
    readyState = 0
    onopen = null
    onclose = null
    onerror = null
    onmessage = null
    constructor(url: string) {
      dialed.push(url)
    }
    send(): void {}
    close(): void {}
  }
}

const quiet: TransportEvents = { peerJoined: () => {}, peerLeft: () => {}, frame: () => {} }

describe('WebrtcTransport.addSignaling / removeSignaling', () => {
  it('validates with a typed error, is idempotent, dials at once once connected, and forgets removed servers', () => {
    const dialed: string[] = []
    const transport = new WebrtcTransport({
      peerId: asPeerId('p'), room: 'r', signaling: ['ws://127.0.0.1:1'], WebSocket: recordingSocket(dialed), clock: new VirtualClock(), random: seededRandom(1)
    })
    for (const bad of ['http://127.0.0.1:2', 'ws//127.0.0.1:2', '', 'wss://']) {
      let caught: unknown
      try {
        transport.addSignaling(bad)
      } catch (error) {
        caught = error
      }
      expect(caught, bad).toBeInstanceOf(WebrtcError)
      expect((caught as WebrtcError).code).toBe('bad-url')
    }
    expect(transport.addSignaling('ws://127.0.0.1:2')).toBe(true)
    expect(transport.addSignaling('ws://127.0.0.1:2')).toBe(false)
    expect(transport.addSignaling('ws://127.0.0.1:1')).toBe(false)
    expect(dialed).toEqual([])
    transport.connect(quiet)
    expect(dialed).toEqual(['ws://127.0.0.1:1', 'ws://127.0.0.1:2'])
    expect(transport.addSignaling('wss://[::1]:3/signal')).toBe(true)
    expect(dialed).toEqual(['ws://127.0.0.1:1', 'ws://127.0.0.1:2', 'wss://[::1]:3/signal'])
    expect(transport.knownSignalingUrls()).toEqual(['ws://127.0.0.1:1', 'ws://127.0.0.1:2', 'wss://[::1]:3/signal'])
    expect(transport.signalingUrls()).toEqual([])
    expect(transport.removeSignaling('ws://127.0.0.1:1')).toBe(true)
    expect(transport.removeSignaling('ws://127.0.0.1:1')).toBe(false)
    expect(transport.knownSignalingUrls()).toEqual(['ws://127.0.0.1:2', 'wss://[::1]:3/signal'])
    transport.close()
    expect(transport.addSignaling('ws://127.0.0.1:4')).toBe(false)
    expect(dialed).toHaveLength(3)
  })
})

describe('signaling servers learned from the doc, with a room password (Node peers, @roamhq/wrtc, loopback only)', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo()
  })

  it('X knows only S1; S2 is published into the doc by Y; after S1 is gone a new peer that knows only S2 still links to X, and a wrong password never links', async () => {
    const APP = 'directory-app'
    const PASSWORD = 'room password 7e1d'
    const s1 = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
    const s2 = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
    cleanup.push(() => s1.close(), () => s2.close())
    const errors = new Map<string, string[]>()
    const transport = (id: string, urls: string[], seed: number, password = PASSWORD): WebrtcTransport => {
      const list: string[] = []
      errors.set(id, list)
      const t = nodeTransport(id, urls, seed, { room: APP, password, onError: (e) => list.push((e as { code?: string }).code ?? e.message) })
      cleanup.push(() => t.close())
      return t
    }
    const tx = transport('x', [s1.url], 1)
    const ty = transport('y', [s1.url], 2)
    const [x, y] = [tx, ty].map((t, i) => {
      const server = initServer(APP, { transport: t, random: seededRandom(10 + i) })
      cleanup.push(() => server.stop())
      cleanup.push(followSignaling(server.peer.doc, t))
      return server
    }) as [ReturnType<typeof initServer>, ReturnType<typeof initServer>]
    await waitFor('x and y linked through S1 (encrypted signaling)', () => tx.peers().has(asPeerId('y')) && ty.peers().has(asPeerId('x')))

    cleanup.push(publishSignaling(y.peer.doc, 'y', s2.url))
    const learnMs = await waitFor('x to learn S2 from the doc and connect to it', () => tx.signalingUrls().includes(s2.url))
    expect(x.peer.doc.getMap('sship.signaling').toJSON()).toEqual({ y: [s2.url] })
    await s1.close()
    await waitFor('x to notice S1 is gone', () => tx.signalingUrls().length === 1)
    expect(tx.signalingUrls()).toEqual([s2.url])

    const tz = transport('z', [s2.url], 3)
    tz.connect(quiet)
    const linkMs = await waitFor('z (knows only S2) linked to x', () => tz.peers().has(asPeerId('x')) && tx.peers().has(asPeerId('z')))

    const tw = transport('w', [s2.url], 4, 'another password')
    tw.connect(quiet)
    // w announces itself on S2: x (and y, z) cannot read it. Nobody announces to w afterwards, so w may hear nothing.
    await waitFor('x to refuse w\'s announcement', () => (errors.get('x') ?? []).includes('bad-password'))
      .catch((e: unknown) => {
        throw new Error(`${String(e)}; errors: ${JSON.stringify([...errors])}`)
      })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect([...tw.peers()]).toEqual([])
    expect([...tx.peers()].sort()).toEqual(['y', 'z'] as PeerId[])
    expect(errors.get('x')?.every((code) => code === 'bad-password')).toBe(true)
    expect(tw.getLinks()).toEqual([])
    console.info(`webrtc directory: S2 learned from the doc in ${learnMs.toFixed(0)} ms; a peer knowing only S2 linked in ${linkMs.toFixed(0)} ms (password on)`)
  })
})
