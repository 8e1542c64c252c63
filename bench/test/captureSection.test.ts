import { describe, expect, it } from 'vitest'
import type { CaptureCheck } from '../src/measure/loopbackCapture.js'
import type { RunResult } from '../src/measure/RunResult.js'
import { emptyTraffic } from '../src/measure/Traffic.js'
import { captureSection, captureSummary } from '../src/report/captureSection.js'
import type { StudyRun } from '../src/report/StudyRun.js'
import { SystemId } from '../src/systems/SystemId.js'

function realRun(system: SystemId, captureCheck?: CaptureCheck): StudyRun {
  const result: RunResult = {
    system, mode: 'real', n: 20, payloadBytes: 1024, seed: 1, opsPerSecond: 20, enqueues: 36, dequeues: 24, workloadMs: 3000,
    workloadTraffic: emptyTraffic(), wire: 'socket', framingBytes: 0, bytesPerOp: 1, bytesPerOpExclLiveness: 1, idleTrafficPerSec: emptyTraffic(),
    idleBytesPerSec: 0, enqueueVisibleMs: [], dequeueAnsweredMs: [], integrity: { requestsLost: 0, duplicates: 0, entriesLost: 0 }, wallMs: 1, notes: [],
    ...(captureCheck === undefined ? {} : { captureCheck })
  }
  return { purpose: 'study', result }
}

const check = (counted: number, captured: number, outer: number): CaptureCheck => ({
  tool: 'tshark', counterBytes: counted, outerCounterBytes: outer, capturedBytes: captured, retransmittedBytes: 0, packets: 10,
  relativeDifference: (captured - counted) / counted, withinBracket: captured >= counted && captured <= outer, dropped: null
})

describe('the loopback capture check in the report', () => {
  it('summarises the largest difference and whether every capture lay within its counter bracket', () => {
    const runs = [realRun(SystemId.Sship, check(1000, 1002, 1100)), realRun(SystemId.ClientServer, check(2000, 1990, 2000)), realRun(SystemId.NoFaultTolerance)]
    expect(captureSummary(runs)).toEqual({ maxRelativeDifference: 0.005, checked: 2, withinBracket: false, skipped: null })
    const text = captureSection(runs).join('\n')
    expect(text).toContain('| sship | 20 | 1024 | 1,000 | 1,002 | 1,100 | 0 | 10 | 0.20 % | yes |')
    expect(text).toContain('| client-server | 20 | 1024 | 2,000 | 1,990 | 2,000 | 0 | 10 | -0.50 % | **no** |')
  })

  it('says in the report when the check was skipped, and writes nothing when no run asked for it', () => {
    const skipped = [realRun(SystemId.Sship, { skipped: 'tshark is not installed' })]
    expect(captureSummary(skipped)).toEqual({ maxRelativeDifference: null, checked: 0, withinBracket: null, skipped: 'tshark is not installed' })
    expect(captureSection(skipped).join('\n')).toContain('skipped: tshark is not installed')
    expect(captureSection([realRun(SystemId.Sship)])).toEqual([])
  })
})
