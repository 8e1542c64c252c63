import { asPeerId } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { runTransportTests } from '@sship/core/transport-suite'
import { LanTransport } from '../src/index.js'
import { sleep } from './support/wait.js'

/** Every address below is loopback: the suite's traffic never leaves the machine. */
runTransportTests('LanTransport with static peers on 127.0.0.1', async () => {
  const peerIds = [asPeerId('peer-a'), asPeerId('peer-b'), asPeerId('peer-c')] as const
  const make = (i: number): LanTransport => new LanTransport({
    app: 'acceptance', peerId: peerIds[i] ?? asPeerId('x'), host: '127.0.0.1', port: 0,
    random: seededRandom(i + 1), backoff: { initialMs: 20, maxMs: 200 }
  })
  const transports = [make(0), make(1), make(2)] as const
  const addresses = await Promise.all(transports.map((t) => t.listen()))
  transports.forEach((t, i) => addresses.forEach((a, j) => {
    if (i !== j) t.addStaticPeer(`127.0.0.1:${a.port}`)
  }))
  return {
    peerIds,
    transports,
    settle: () => sleep(150),
    teardown: async () => {
      await Promise.all(transports.map((t) => t.shutdown()))
    }
  }
})
