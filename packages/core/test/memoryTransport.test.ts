import { expect } from 'vitest'
import { asPeerId } from '../src/ids/ids.js'
import { MemoryNetwork, type MemoryNetworkOptions } from '../src/testing/index.js'
import { runTransportTests, type TransportTestContext } from '../src/testing/suite.js'

const peerIds = [asPeerId('peer-a'), asPeerId('peer-b'), asPeerId('peer-c')] as const

function memoryContext(options: MemoryNetworkOptions): TransportTestContext {
  const network = new MemoryNetwork(options)
  return {
    peerIds,
    transports: [network.transport(peerIds[0]), network.transport(peerIds[1]), network.transport(peerIds[2])],
    settle: async () => {
      network.flush()
    },
    teardown: async () => {
      expect(network.handlerErrors()).toEqual([])
    }
  }
}

runTransportTests('memory (default latency)', () => memoryContext({ seed: 1 }))
runTransportTests('memory (zero latency)', () => memoryContext({ seed: 2, latencyMs: { min: 0, max: 0 } }))
runTransportTests('memory (reordering, no loss)', () => memoryContext({ seed: 3, latencyMs: { min: 0, max: 20 }, reorderRate: 0.5 }))
