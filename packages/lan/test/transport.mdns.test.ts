import { asPeerId } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { runTransportTests } from '@sship/core/transport-suite'
import { LanTransport, MdnsDiscovery } from '../src/index.js'
import { loopbackMdns } from '../src/testing/index.js'
import { sleep } from './support/wait.js'

/**
 * The acceptance suite with peers found only by mDNS (no static addresses): multicast from
 * 127.0.0.1 on a fresh port per test, WebSocket servers on 127.0.0.1.
 */
runTransportTests('LanTransport with mDNS discovery on loopback', async () => {
  const net = await loopbackMdns()
  const peerIds = [asPeerId('mdns-a'), asPeerId('mdns-b'), asPeerId('mdns-c')] as const
  const make = (i: number): LanTransport => {
    const peerId = peerIds[i] ?? asPeerId('x')
    const directory = new MdnsDiscovery({ app: 'acceptance-mdns', peerId, ...net, queryIntervalMs: 5000 })
    return new LanTransport({
      app: 'acceptance-mdns', peerId, host: '127.0.0.1', port: 0, directory,
      random: seededRandom(i + 11), backoff: { initialMs: 20, maxMs: 200 }
    })
  }
  const transports = [make(0), make(1), make(2)] as const
  await Promise.all(transports.map((t) => t.listen()))
  return {
    peerIds,
    transports,
    settle: () => sleep(200),
    teardown: async () => {
      await Promise.all(transports.map((t) => t.shutdown()))
    }
  }
})
