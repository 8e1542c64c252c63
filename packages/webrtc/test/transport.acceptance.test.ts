import { asPeerId } from '@sship/core'
import { runTransportTests } from '@sship/core/transport-suite'
import { SignalingServer } from '../src/server/index.js'
import { nodeTransport, sleep } from './support/nodePeers.js'

/** Three Node peers (@roamhq/wrtc) meeting through our signaling server; all traffic on loopback. */
runTransportTests('WebrtcTransport, 3 Node peers, signaling on 127.0.0.1', async () => {
  const server = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
  const peerIds = [asPeerId('peer-a'), asPeerId('peer-b'), asPeerId('peer-c')] as const
  const transports = [
    nodeTransport(peerIds[0], [server.url], 1),
    nodeTransport(peerIds[1], [server.url], 2),
    nodeTransport(peerIds[2], [server.url], 3)
  ] as const
  return {
    peerIds,
    transports,
    settle: () => sleep(250),
    teardown: async () => {
      for (const t of transports) t.close()
      await server.close()
    }
  }
})
