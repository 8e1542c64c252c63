import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { asPeerId, type PeerId, type Transport } from '@sship/core'
import { combineTransports, seededRandom } from '@sship/core/internals'
import { runTransportTests } from '@sship/core/transport-suite'
import { WebSocket } from 'ws'
import { WsClientTransport, type LinkSocketConstructor } from '../src/index.js'
import { WsHubTransport } from '../src/server/index.js'

const APP = 'ws-acceptance'
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A hub of `peer` on an HTTP server on 127.0.0.1 (an ephemeral port). */
async function startHub(peer: PeerId): Promise<{ hub: WsHubTransport; http: Server; url: string }> {
  const hub = new WsHubTransport({ peerId: peer, app: APP })
  const http = createServer()
  http.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head))
  await new Promise<void>((resolve) => http.listen({ host: '127.0.0.1', port: 0 }, resolve))
  return { hub, http, url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sship` }
}

/**
 * Three peers in a full mesh of client → hub links, on loopback: every peer runs a hub, and
 * peer i also dials the hubs of the peers before it (a host that is also a client of other
 * hosts). Each peer is `[hub, client]` combined, as `PeerOptions.transport` combines a list.
 */
runTransportTests('WsClientTransport + WsHubTransport, 3 peers on 127.0.0.1', async () => {
  const peerIds = [asPeerId('ws-a'), asPeerId('ws-b'), asPeerId('ws-c')] as const
  const hubs = await Promise.all(peerIds.map(startHub))
  const clients = peerIds.map((peer, i) => i === 0 ? undefined : new WsClientTransport({
    peerId: peer, app: APP, urls: hubs.slice(0, i).map((h) => h.url), WebSocket: WebSocket as unknown as LinkSocketConstructor,
    random: seededRandom(i), backoff: { initialMs: 20, maxMs: 200 }
  }))
  const transports = peerIds.map((_, i) => {
    const client = clients[i]
    const hub = hubs[i]?.hub as WsHubTransport
    return client === undefined ? hub : combineTransports([hub, client])
  }) as Transport[]
  return {
    peerIds,
    transports: [transports[0] as Transport, transports[1] as Transport, transports[2] as Transport],
    settle: () => sleep(250),
    teardown: async () => {
      for (const t of transports) t.close()
      for (const { http } of hubs) {
        http.closeAllConnections()
        await new Promise<void>((resolve) => http.close(() => resolve()))
      }
    }
  }
})
