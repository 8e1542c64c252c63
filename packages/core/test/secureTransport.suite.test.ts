import { expect } from 'vitest'
import { asPeerId, type SecurityError } from '@sship/core'
import { SecureTransport } from '@sship/core/security'
import { MemoryNetwork, type MemoryNetworkOptions } from '@sship/core/testing'
import { runTransportTests, type TransportTestContext } from '@sship/core/transport-suite'
import { settle, TEST_ITERATIONS } from './secureSupport.js'

const peerIds = [asPeerId('peer-a'), asPeerId('peer-b'), asPeerId('peer-c')] as const

function secureContext(options: MemoryNetworkOptions, replayWindow?: number): TransportTestContext {
  const network = new MemoryNetwork(options)
  const errors: SecurityError[] = []
  const make = (i: 0 | 1 | 2): SecureTransport =>
    new SecureTransport(network.transport(peerIds[i]), {
      secret: 'correct horse battery staple',
      appName: 'suite',
      iterations: TEST_ITERATIONS,
      onError: (error) => errors.push(error),
      ...(replayWindow === undefined ? {} : { replayWindow })
    })
  const transports = [make(0), make(1), make(2)] as const
  return {
    peerIds,
    transports,
    settle: () => settle(network, transports),
    teardown: async () => {
      await settle(network, transports)
      expect(network.handlerErrors()).toEqual([])
      expect(errors).toEqual([])
    }
  }
}

runTransportTests('secure over memory (default latency)', () => secureContext({ seed: 1 }))
runTransportTests('secure over memory (zero latency)', () => secureContext({ seed: 2, latencyMs: { min: 0, max: 0 } }))
// The 1000-frame burst can be overtaken by up to all of itself, so the window must cover it.
runTransportTests('secure over memory (reordering, window 1024)', () =>
  secureContext({ seed: 3, latencyMs: { min: 0, max: 20 }, reorderRate: 0.5 }, 1024))
