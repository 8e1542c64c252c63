import { describe, expect, it } from 'vitest'
import type { ScaleRow, ScaleStudy } from '../src/scale/runScaleStudy.js'
import { scaleHeadline } from '../src/scale/runScaleStudy.js'
import { scaleReport } from '../src/scale/scaleReport.js'

const row = (n: number, over: Partial<ScaleRow> = {}): ScaleRow => ({
  n, k: 6, linksMax: 10 + n / 10, linksMean: 7, allReachable: true, idleCpuMsPerSecPerDevice: 1.5, joinMs: 90,
  failoverMs: [210, 190, 250], meshBytesPerOp: 1100 * n, clientServerBytesPerOp: 1000 * n, ratio: 1.1,
  meshIdleBytesPerSecPerDevice: 900, lost: 0, duplicates: 0, ...over
})

describe('the classroom headline', () => {
  it('reports the largest n, the worst links over all n, the median failover, and sums lost and duplicates', () => {
    const study: ScaleStudy = {
      quick: true, k: 6,
      rows: [row(10, { linksMax: 19, lost: 1 }), row(60, { duplicates: 2 })],
      mdns: [{ strategy: 'rfc6762', peers: 50, ttlSeconds: 30, framesPerSec: 3.2, framesPerSecPerPeer: 0.064, totalFrames: 500, complete: true, windowSeconds: 20 }],
      real: [{ n: 10, mode: 'mesh', linksMax: 9, relinkThroughMeshMs: 175, meshed: true, meshMs: 8000, linkSetupP50Ms: 900, linkSetupMaxMs: 2000, newcomerMs: 800, idleCpuMsPerSecPerPeer: 9, rssMbPerPeer: 14 }],
      heal: [{ n: 10, k: 2, healMs: [120, 430, 175], meshLinksOpened: 4 }]
    }
    const head = scaleHeadline(study)
    expect(head).toEqual({
      maxBrowsers: 10, maxPeers: 60, linksPerBrowserMax: 19, idleCpuMsPerSecPerBrowser: 1.5, failoverP50MsAtMax: 210, joinMsAtMax: 90,
      bytesPerOpRatioVsClientServerAtMax: 1.1, mdnsFramesPerSecAt50: 3.2, lost: 1, duplicates: 2, meshRelinkMsNoHosts: 430
    })
    const md = scaleReport(study, head, 'test machine')
    expect(md).toContain('## Classroom scale (quick)')
    expect(md).toContain('| 0 lost, 0 duplicates | 1 / 2 | no |')
    expect(md).toContain('| 10 | 2 | 3 | 120, 430, 175 | 4 |')
  })

  it('counts a heal that never finished as a miss, not as a missing sample', () => {
    const study: ScaleStudy = {
      quick: true, k: 6, rows: [row(10)], mdns: [], real: [],
      heal: [{ n: 10, k: 2, healMs: [120, null], meshLinksOpened: 1 }]
    }
    expect(scaleHeadline(study).meshRelinkMsNoHosts).toBeNull()
    expect(scaleReport(study, scaleHeadline(study), 'test machine')).toContain('NOT HEALED')
  })

  it('puts the real browsers\' table into the section when a classroom run left one', () => {
    const study: ScaleStudy = { quick: true, k: 6, rows: [row(10)], mdns: [], real: [], heal: [] }
    const without = scaleReport(study, scaleHeadline(study), 'test machine')
    expect(without).not.toContain('Real browsers')
    const table = '| n | last page reaches all |\n|---|---|\n| 20 | 2559 ms |\n'
    expect(scaleReport(study, scaleHeadline(study), 'test machine', table)).toContain('### Real browsers (Chromium contexts')
    expect(scaleReport(study, scaleHeadline(study), 'test machine', table)).toContain('| 20 | 2559 ms |')
  })
})
