import { describe, expect, it } from 'vitest'
import { OpBook } from '../src/measure/OpBook.js'
import { runSimulation, type SimRunSpec } from '../src/measure/runSimulation.js'
import { SimClientServer } from '../src/systems/sim/SimClientServer.js'
import { SystemId } from '../src/systems/SystemId.js'

const spec = (system: SystemId, seed: number): SimRunSpec => ({
  system, n: 5, payloadBytes: 64, seed, ops: 20, opsPerSecond: 20, idleMs: 500, failover: true, failback: false
})

describe('simulated runs are replayable', () => {
  // Bytes depend on the Yjs client ids (their varint length is in every update), so they must come from the seed.
  it('client-server draws its Yjs client ids from the seed', () => {
    const ids = (seed: number): number[] => {
      const sys = new SimClientServer(8, seed, new OpBook())
      sys.start()
      return sys.docs().map((d) => d.clientID)
    }
    expect(ids(3)).toHaveLength(9)
    expect(ids(3)).toEqual(ids(3))
    expect(ids(4)).not.toEqual(ids(3))
  })

  it.each([SystemId.ClientServer, SystemId.Sship])('%s: the same seed gives the same bytes and times', (system) => {
    const a = runSimulation(spec(system, 7))
    const b = runSimulation(spec(system, 7))
    expect(b.workloadTraffic).toEqual(a.workloadTraffic)
    expect(b.idleTrafficPerSec).toEqual(a.idleTrafficPerSec)
    expect(b.enqueueVisibleMs).toEqual(a.enqueueVisibleMs)
    expect(b.failover?.recoveryBytes).toBe(a.failover?.recoveryBytes)
    expect(a.bytesPerOp).toBeGreaterThan(0)
  })
})
