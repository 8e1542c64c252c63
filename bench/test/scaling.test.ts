import { describe, expect, it } from 'vitest'
import type { FailoverResult, RunResult } from '../src/measure/RunResult.js'
import { emptyTraffic, type Traffic } from '../src/measure/Traffic.js'
import { bytesExcess } from '../src/report/bytesExcess.js'
import { headline } from '../src/report/headline.js'
import { metricRecords } from '../src/report/metricRecords.js'
import type { StudyRun } from '../src/report/StudyRun.js'
import { SystemId } from '../src/systems/SystemId.js'

/** A simulated study run with the given traffic per category (100 operations, 43 dequeues) and idle rate. */
function run(system: SystemId, n: number, workload: Partial<Traffic>, idle: Partial<Traffic>, firstServedMs: number | null, payloadBytes = 1024): StudyRun {
  const workloadTraffic = { ...emptyTraffic(), ...workload }
  const idleTrafficPerSec = { ...emptyTraffic(), ...idle }
  const total = Object.values(workloadTraffic).reduce((a, b) => a + b, 0)
  const failover: FailoverResult = {
    how: 'crash', outage: firstServedMs === null, detectionMs: 200, firstServedMs, repointMs: firstServedMs, windowMs: 3000,
    recoveryTraffic: emptyTraffic(), recoveryBytes: 1000 * n, unserved: 0, newServer: 's01', pointsAt: {}
  }
  const result: RunResult = {
    system, mode: 'sim', n, payloadBytes, seed: 1, opsPerSecond: 20, enqueues: 57, dequeues: 43, workloadMs: 5000, workloadTraffic,
    wire: 'frames', framingBytes: 0, bytesPerOp: total / 100, bytesPerOpExclLiveness: (total - workloadTraffic.liveness) / 100,
    idleTrafficPerSec, idleBytesPerSec: Object.values(idleTrafficPerSec).reduce((a, b) => a + b, 0), enqueueVisibleMs: [10], dequeueAnsweredMs: [20],
    failover, failoverSamples: [failover], integrity: { requestsLost: 0, duplicates: 0, entriesLost: 0 }, wallMs: 1, notes: []
  }
  return { purpose: 'study', result }
}

describe('scaling in n', () => {
  it('fits idle traffic a + b·n, and calls it linear only when the line fits', () => {
    const ns = [5, 10, 20, 50, 100, 200, 300, 500]
    const linear = ns.map((n) => run(SystemId.Sship, n, { data: 1000 }, { liveness: 20 + 375 * n }, 210))
    const h = headline(metricRecords(linear), linear)
    expect(h.idleFit?.perDevice).toBeCloseTo(375, 1)
    expect(h.idleFit?.intercept).toBeCloseTo(20, 0)
    expect(h.idleFit?.r2).toBe(1)
    expect(h.idleFit?.ns).toEqual(ns)
    expect(h.idleLivenessFit?.perDevice).toBeCloseTo(375, 1)
    expect(h.targetsMet.idleLinearInN).toBe(true)
    const quadratic = ns.map((n) => run(SystemId.Sship, n, { data: 1000 }, { liveness: 2 * n * n }, 210))
    const q = headline(metricRecords(quadratic), quadratic)
    expect(q.targetsMet.idleLinearInN).toBe(false)
  })

  it('reports failover p50 by n and whether it stays flat', () => {
    const flat = [20, 100, 500].map((n, i) => run(SystemId.Sship, n, { data: 1 }, { liveness: n }, 210 + i))
    const h = headline(metricRecords(flat), flat)
    expect(h.failoverP50ByN).toEqual({ 20: 210, 100: 211, 500: 212 })
    expect(h.failoverSpreadVsN).toBeCloseTo(212 / 210, 3)
    expect(h.targetsMet.failoverFlatInN).toBe(true)
    const growing = [20, 100, 500].map((n) => run(SystemId.Sship, n, { data: 1 }, { liveness: n }, 200 + n))
    expect(headline(metricRecords(growing), growing).targetsMet.failoverFlatInN).toBe(false)
  })

  it('splits the bytes sship sends beyond 1.3× client-server by category, and leaves cells under the target out', () => {
    const runs = [
      run(SystemId.ClientServer, 50, { data: 300_000, requests: 300_000 }, {}, null, 64),
      run(SystemId.Sship, 50, { data: 310_000, requests: 390_000, liveness: 90_000, repair: 10_000 }, { liveness: 18_000 }, 210, 64),
      run(SystemId.ClientServer, 20, { data: 1_000_000, requests: 100_000 }, {}, null),
      run(SystemId.Sship, 20, { data: 1_000_000, requests: 150_000, liveness: 30_000 }, { liveness: 7000 }, 210)
    ]
    const cells = bytesExcess(metricRecords(runs), runs)
    expect(cells).toHaveLength(1)
    const [c] = cells
    expect(c?.n).toBe(50)
    expect(c?.ratio).toBeCloseTo(8000 / 6000, 6)
    expect(c?.excess).toBeCloseTo(2000, 6)
    expect(c?.liveness).toBeCloseTo(900, 6)
    expect(c?.requests).toBeCloseTo(900, 6)
    expect(c?.sync).toBeCloseTo(200, 6)
    expect(c?.other).toBeCloseTo(0, 6)
    expect(c?.sshipRequestBytesPerDequeuePerPeer).toBeCloseTo(390_000 / 43 / 49, 6)
    expect(c?.csRequestBytesPerDequeuePerPeer).toBeCloseTo(300_000 / 43 / 50, 6)
  })
})
