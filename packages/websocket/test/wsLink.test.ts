import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { asPeerId, seededRandom, type TransportEvents } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { decodeWsLink, encodeWsFrame, encodeWsHello, HostLinkState, WsClientTransport, WsLinkType, type LinkSocketConstructor } from '../src/index.js'
import { WsHubTransport } from '../src/server/index.js'

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
async function startHub(port = 0): Promise<{ hub: WsHubTransport; http: Server; url: string; events: ReturnType<typeof recorder>; stop(): Promise<void> }> {
  const hub = new WsHubTransport({ peerId: host, app: APP })
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

  it('a second link from the same browser GUID replaces the first (a reload)', async () => {
    const hub = await startHub()
    cleanup.push(hub.stop)
    const make = (seed: number): WsClientTransport => {
      const c = new WsClientTransport({ peerId: asPeerId('same'), app: APP, urls: [hub.url], WebSocket: WebSocket as unknown as LinkSocketConstructor, random: seededRandom(seed), maxFailures: 0 })
      cleanup.push(() => c.close())
      return c
    }
    expect(await make(3).waitForLink(3000)).toBe(true)
    expect(await make(4).waitForLink(3000)).toBe(true)
    await waitFor('leave and rejoin at the hub', () => hub.events.log.join(' ') === '+same -same +same')
    expect(hub.hub.linkCount).toBe(1)
  })
})
