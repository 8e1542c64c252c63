/**
 * The signaling server's limits (issue [J]): a flooding, topic-hoarding or non-reading client is
 * closed with a clear code while honest subscribers keep being served, and four real y-webrtc
 * clients (child processes) meeting in one room never hit any limit.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { SignalingCloseCode, SignalingServer } from '../src/server/index.js'
import { ChildPeer } from './support/ChildPeer.js'
import { waitFor } from './support/nodePeers.js'

const open = (url: string): Promise<WebSocket> => new Promise((resolve, reject) => {
  const ws = new WebSocket(url)
  ws.once('open', () => resolve(ws))
  ws.once('error', reject)
})
const closeCode = (ws: WebSocket): Promise<number> => new Promise((resolve) => ws.once('close', (code) => resolve(code)))

describe('SignalingServer limits', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo()
  })
  const start = async (limits = {}): Promise<SignalingServer> => {
    const server = await SignalingServer.start({ host: '127.0.0.1', port: 0, limits })
    cleanup.push(() => server.close())
    return server
  }

  it('closes a publish flood with TooManyMessages; a subscriber of the topic keeps its connection', async () => {
    const server = await start({ messages: { perSecond: 20, burst: 40 } })
    const honest = await open(server.url)
    cleanup.push(() => honest.terminate())
    honest.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }))
    const flood = await open(server.url)
    cleanup.push(() => flood.terminate())
    const closed = closeCode(flood)
    for (let i = 0; i < 200; i++) flood.send(JSON.stringify({ type: 'publish', topic: 'room', data: { i } }))
    expect(await closed).toBe(SignalingCloseCode.TooManyMessages)
    expect(honest.readyState).toBe(WebSocket.OPEN)
    expect(server.stats().limitCloses.messages).toBe(1)
  })

  it('closes a client that hoards topics with TooManyTopics and forgets its topics at once', async () => {
    const server = await start({ topicsPerConnection: 8 })
    const hoarder = await open(server.url)
    cleanup.push(() => hoarder.terminate())
    const closed = closeCode(hoarder)
    hoarder.send(JSON.stringify({ type: 'subscribe', topics: Array.from({ length: 5 }, (_, i) => `t${i}`) }))
    hoarder.send(JSON.stringify({ type: 'subscribe', topics: Array.from({ length: 5 }, (_, i) => `u${i}`) }))
    expect(await closed).toBe(SignalingCloseCode.TooManyTopics)
    expect(server.stats().topics).toBe(0)
  })

  it('refuses a message over the size limit (1009) instead of buffering it', async () => {
    const server = await start({ maxMessageBytes: 1024 })
    const big = await open(server.url)
    cleanup.push(() => big.terminate())
    const closed = closeCode(big)
    big.send(JSON.stringify({ type: 'subscribe', topics: ['x'.repeat(4096)] }))
    expect(await closed).toBe(1009)
  })

  it('drops a subscriber that does not read once its queue is over budget', async () => {
    const server = await start({ maxQueuedBytes: 64 * 1024, messages: { perSecond: 10_000, burst: 10_000 } })
    const lazy = await open(server.url)
    cleanup.push(() => lazy.terminate())
    lazy.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }))
    await waitFor('subscribed', () => server.stats().topics === 1, 2000)
    ;(lazy as unknown as { _socket: { pause(): void } })._socket.pause()
    const sender = await open(server.url)
    cleanup.push(() => sender.terminate())
    const blob = 'x'.repeat(16 * 1024)
    for (let i = 0; i < 400 && server.stats().limitCloses.notReading === 0; i++) {
      sender.send(JSON.stringify({ type: 'publish', topic: 'room', data: blob }))
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await waitFor('the lazy reader dropped', () => server.stats().limitCloses.notReading === 1, 5000)
    expect(sender.readyState).toBe(WebSocket.OPEN)
  })

  // Real y-webrtc clients negotiating WebRTC on a loaded machine can miss a negotiation; the claim
  // here is about the signaling limits, which are asserted on every attempt.
  it('four stock y-webrtc clients meeting in one room never hit a limit', { retry: 1, timeout: 90_000 }, async () => {
    const server = await start()
    const children = Array.from({ length: 4 }, () => new ChildPeer('./yWebrtcPeer.ts', ['limits-room', server.url]))
    for (const c of children) cleanup.push(() => c.stop())
    const meshed = (): boolean => children.every((c) => c.lines.some((l) => Array.isArray(l.peers) && l.peers.length === 3))
    await waitFor('every client to see the three others over WebRTC', meshed, 60_000).catch((e: unknown) => {
      throw new Error(`${String(e)}; limit closes ${JSON.stringify(server.stats().limitCloses)}`)
    })
    expect(server.stats().limitCloses).toEqual({ messages: 0, topics: 0, notReading: 0, full: 0 })
    expect(server.stats().clients).toBe(4)
  })
})
