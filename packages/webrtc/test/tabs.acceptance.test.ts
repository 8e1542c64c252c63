import { asPeerId } from '@sship/core'
import { runTransportTests } from '@sship/core/transport-suite'
import { TabTransport } from '../src/index.js'

let rooms = 0

/** Three tabs of one "browser" (one Node process), each a TabTransport on a fresh room. */
const setup = (password: string | undefined) => () => {
  const room = `tabs-acceptance-${password === undefined ? 'plain' : 'sealed'}-${++rooms}`
  const peerIds = [asPeerId('tab-a'), asPeerId('tab-b'), asPeerId('tab-c')] as const
  const transports = [
    new TabTransport({ peerId: peerIds[0], room, password }),
    new TabTransport({ peerId: peerIds[1], room, password }),
    new TabTransport({ peerId: peerIds[2], room, password })
  ] as const
  return {
    peerIds,
    transports,
    // BroadcastChannel delivers asynchronously (and sealing takes WebCrypto time): a short wait.
    settle: () => new Promise<void>((resolve) => setTimeout(resolve, password === undefined ? 20 : 100)),
    teardown: async () => {
      for (const t of transports) t.close()
    }
  }
}

runTransportTests('TabTransport over BroadcastChannel', setup(undefined))
runTransportTests('TabTransport over BroadcastChannel, with a room password', setup('tab secret'))
