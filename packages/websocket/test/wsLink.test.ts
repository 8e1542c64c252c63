import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { asPeerId, seededRandom, type TransportEvents } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { decodeWsLink, encodeWsFrame, encodeWsHello, HostLinkState, WsClientTransport, WsLinkType, type LinkSocketConstructor } from '../src/index.js'
import { WsCloseCode } from '../src/wire/wsLinkWire.js'
import { WsHubTransport, type HubBudget } from '../src/server/index.js'

const APP = 'queue-test'
const host = asPeerId('host-1')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
async function waitFor(what: string, done: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now()
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

function recorder(): TransportEvents & { log: string[]; frames: Uint8Array[] } {
  const log: string[] = []
  const frames: Uint8Array[] = []
  return { log, frames, peerJoined: (p) => log.push(`+${p}`), peerLeft: (p) => log.push(`-${p}`), frame: (_f, d) => frames.push(d) }
}

/** A hub on an HTTP server on 127.0.0.1 (port 0 picks one; pass a port to come back on it). */
async function startHub(port = 0, budget: Partial<HubBudget> = {}): Promise<{ hub: WsHubTransport; http: Server; url: string; events: ReturnType<typeof recorder>; stop(): Promise<void> }> {
  const hub = new WsHubTransport({ peerId: host, app: APP, budget })
  const http = createServer()
  http.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head))
  await new Promise<void>((resolve) => http.listen({ host: '127.0.0.1', port }, resolve))
  const events = recorder()
  hub.connect(events)
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sship`
  return {
    hub, http, url, events,
    stop: async () => {
      hub.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    }
  }
}

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

describe('the WebSocket link wire', () => {
  it('round-trips hellos and frames, and rejects junk', () => {
    expect(decodeWsLink(encodeWsHello('app', 'peer'))).toEqual({ type: WsLinkType.Hello, version: 1, app: 'app', peer: 'peer' })
    expect(decodeWsLink(encodeWsFrame(new Uint8Array([7, 8])))).toEqual({ type: WsLinkType.Frame, frame: new Uint8Array([7, 8]) })
    expect(decodeWsLink(new Uint8Array())).toBeUndefined()
    expect(decodeWsLink(new Uint8Array([9]))).toBeUndefined()
    expect(decodeWsLink(new Uint8Array([0, 1, 5]))).toBeUndefined()
  })
})

describe('WsClientTransport ↔ WsHubTransport on 127.0.0.1', () => {
  it('links after the hellos, carries frames both ways, and re-links to a host that comes back on its port', async () => {
    const first = await startHub()
    cleanup.push(first.stop)
    const me = asPeerId('browser-1')
    const client = new WsClientTransport({ peerId: me, app: APP, urls: [first.url], WebSocket: WebSocket as unknown as LinkSocketConstructor, random: seededRandom(1), backoff: { initialMs: 20, maxMs: 100 } })
    cleanup.push(() => client.close())
    expect(await client.waitForLink(3000)).toBe(true)
    const events = recorder()
    client.connect(events)
    expect(events.log).toEqual(['+host-1'])
    await waitFor('the hub to see the browser', () => first.events.log.includes('+browser-1'))
    client.send(host, new Uint8Array([1, 2, 3]))
    first.hub.send(me, new Uint8Array([4, 5]))
    await waitFor('frames both ways', () => first.events.frames.length === 1 && events.frames.length === 1)
    expect([...first.events.frames[0] ?? []]).toEqual([1, 2, 3])
    expect([...events.frames[0] ?? []]).toEqual([4, 5])

    const port = Number(new URL(first.url).port)
    await first.stop()
    await waitFor('the browser to see the host leave', () => events.log.includes('-host-1'))
    const second = await startHub(port)
    cleanup.push(second.stop)
    await waitFor('the browser to re-link', () => events.log.filter((e) => e === '+host-1').length === 2, 5000)
    expect(client.getLinks()[0]?.state).toBe(HostLinkState.Open)
  })

  it('a host refuses another app; a client gives up after maxFailures', async () => {
    const hub = await startHub()
    cleanup.push(hub.stop)
    const wrong = new WsClientTransport({ peerId: asPeerId('b2'), app: 'other', urls: [hub.url], WebSocket: WebSocket as unknown as LinkSocketConstructor, random: seededRandom(2), backoff: { initialMs: 10, maxMs: 20 }, maxFailures: 3 })
    cleanup.push(() => wrong.close())
    await waitFor('the client to give up', () => wrong.getLinks()[0]?.state === HostLinkState.GaveUp, 5000)
    expect(hub.hub.linkCount).toBe(0)
    expect(hub.events.log).toEqual([])
  })

  it('a second link from the same browser GUID replaces the first once the first is gone (a reload)', async () => {
    const hub = await startHub(0, { claimProbeMs: 200 })
    cleanup.push(hub.stop)
    const make = (seed: number): WsClientTransport => {
      const c = new WsClientTransport({ peerId: asPeerId('same'), app: APP, urls: [hub.url], WebSocket: WebSocket as unknown as LinkSocketConstructor, random: seededRandom(seed), maxFailures: 0 })
      cleanup.push(() => c.close())
      return c
    }
    const first = make(3)
    expect(await first.waitForLink(3000)).toBe(true)
    first.close()
    expect(await make(4).waitForLink(3000)).toBe(true)
    await waitFor('leave and rejoin at the hub', () => hub.events.log.join(' ') === '+same -same +same')
    expect(hub.hub.linkCount).toBe(1)
  })

  it('a hello claiming a linked GUID is refused while that link answers pings; a silent link is replaced', async () => {
    const hub = await startHub(0, { claimProbeMs: 200 })
    cleanup.push(hub.stop)
    const raw = (autoPong: boolean, guid = 'victim'): Promise<WebSocket> => new Promise((resolve) => {
      const ws = new WebSocket(hub.url, { autoPong })
      cleanup.push(() => ws.terminate())
      ws.on('error', () => undefined)
      ws.on('open', () => {
        ws.send(encodeWsHello(APP, guid))
        resolve(ws)
      })
    })
    await raw(true)
    await waitFor('victim joined', () => hub.events.log.join(' ') === '+victim')
    const impostor = await raw(true)
    const code = await new Promise<number>((resolve) => impostor.once('close', (c) => resolve(c)))
    expect(code).toBe(WsCloseCode.Duplicate)
    expect(hub.events.log.join(' ')).toBe('+victim')
    // A link that stopped answering (half-open) is replaced by the next claim.
    await raw(false, 'half-open')
    await waitFor('half-open joined', () => hub.events.log.join(' ') === '+victim +half-open')
    await raw(true, 'half-open')
    await waitFor('half-open replaced', () => hub.events.log.join(' ') === '+victim +half-open -half-open +half-open', 3000)
  })

  it('closes a socket that floods frames (TooManyFrames) and one that does not read (SendQueueFull)', async () => {
    const hub = await startHub(0, { frames: { perSecond: 50, burst: 50 }, maxQueuedBytes: 1024 * 1024 })
    cleanup.push(hub.stop)
    const flood = new WebSocket(hub.url)
    cleanup.push(() => flood.terminate())
    const floodClosed = new Promise<number>((resolve) => flood.once('close', (c) => resolve(c)))
    flood.on('open', () => {
      flood.send(encodeWsHello(APP, 'flood'))
      for (let i = 0; i < 500; i++) flood.send(encodeWsFrame(new Uint8Array([1])))
    })
    expect(await floodClosed).toBe(WsCloseCode.TooManyFrames)

    const lazy = new WebSocket(hub.url)
    cleanup.push(() => lazy.terminate())
    lazy.on('open', () => lazy.send(encodeWsHello(APP, 'lazy')))
    await waitFor('lazy joined', () => hub.hub.peers().has(asPeerId('lazy')))
    ;(lazy as unknown as { _socket: { pause(): void } })._socket.pause()
    const big = new Uint8Array(256 * 1024)
    for (let i = 0; i < 400 && hub.hub.peers().has(asPeerId('lazy')); i++) {
      hub.hub.send(asPeerId('lazy'), big)
      await sleep(5)
    }
    await waitFor('lazy dropped', () => !hub.hub.peers().has(asPeerId('lazy')), 5000)
  })
})
