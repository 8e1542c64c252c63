import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { HOST_ID, QueueSession, ROOT, sleep, snapshot, timelineTimes, waitFor } from '../queuePages.js'
import { chromiumOnly, cpuAndRss, descendants } from './processCpu.js'

/**
 * Real browsers in one classroom: n Chromium contexts (each its own browser peer: its own storage,
 * its own WebRTC stack) on one host, inside the e2e's network namespace. Per n: time for the last
 * page to reach everyone, WebRTC links per page (capped mesh), idle CPU and memory of all Chromium
 * processes divided by n, and the failover when the host is killed. `SSHIP_CLASSROOM_N` lists the
 * n (default 5, the quick form); `npm run bench:classroom -- ` with `SSHIP_CLASSROOM_N=10,20` is the full run.
 */
const NS = (process.env.SSHIP_CLASSROOM_N ?? '5').split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 2)
const IDLE_MS = Number(process.env.SSHIP_CLASSROOM_IDLE_MS ?? 10_000)

interface Links { linked: number; browsers: number; signaling: number }

interface ClassroomRow {
  n: number
  lastJoinMs: number
  linksMax: number
  linksMean: number
  idleCpuMsPerSecPerBrowser: number
  rssMbPerBrowser: number
  failoverMsMax: number
  failoverMsP50: number
  loadAverage1m: number
}

it(`a classroom of real browsers: n = ${NS.join(', ')}`, async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run bench:classroom` (it makes the network namespace)').toBeTruthy()
  const rows: ClassroomRow[] = []
  for (const n of NS) {
    const session = new QueueSession()
    try {
      const host = await session.startHost()
      const pages: Page[] = []
      for (let i = 0; i < n; i++) pages.push(await session.open(i === 0 ? '#ta' : '#student'))
      // The last page: from its load to reaching every peer (n − 1 browsers and the host).
      const last = pages[pages.length - 1]!
      const lastJoinMs = await session.mesh([last], HOST_ID, n, 120_000)
      await session.mesh(pages, HOST_ID, n, 120_000)
      const links = await Promise.all(pages.map(async (p) => ((await p.evaluate(() => window.__sshipQueue?.links())) as Links).browsers))
      await sleep(2000)
      const chromium = chromiumOnly(descendants(process.pid))
      const before = cpuAndRss(chromium)
      const t0 = Date.now()
      await sleep(IDLE_MS)
      const after = cpuAndRss(chromium)
      const idleCpu = (after.cpuMs - before.cpuMs) / ((Date.now() - t0) / 1000) / n
      const killedAt = Date.now()
      await host.kill()
      await waitFor('every page to follow a browser', async () => {
        const snaps = await Promise.all(pages.map(snapshot))
        const c = snaps[0]?.coordinator
        return c !== null && c !== undefined && c !== HOST_ID && snaps.every((s) => s.coordinator === c && !s.failoverInProgress) ? true : undefined
      }, 60_000)
      const failovers = (await Promise.all(pages.map(async (p) => Math.max(...await timelineTimes(p, 'failover')) - killedAt))).sort((a, b) => a - b)
      rows.push({
        n, lastJoinMs, linksMax: Math.max(...links), linksMean: Math.round((links.reduce((a, b) => a + b, 0) / n) * 10) / 10,
        idleCpuMsPerSecPerBrowser: Math.round(idleCpu * 10) / 10, rssMbPerBrowser: Math.round(after.rssMb / n),
        failoverMsMax: failovers[failovers.length - 1] ?? -1, failoverMsP50: failovers[Math.floor(failovers.length / 2)] ?? -1,
        loadAverage1m: Math.round((loadavg()[0] ?? 0) * 10) / 10
      })
      console.info(JSON.stringify(rows[rows.length - 1]))
    } finally {
      await session.close()
    }
  }
  const table = ['| n | last page reaches all | WebRTC links/page max (mean) | idle CPU ms/s per browser | RSS MB per browser | failover p50 / max | load (1 min) |', '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.n} | ${r.lastJoinMs} ms | ${r.linksMax} (${r.linksMean}) | ${r.idleCpuMsPerSecPerBrowser} | ${r.rssMbPerBrowser} | ${r.failoverMsP50} / ${r.failoverMsMax} ms | ${r.loadAverage1m} |`)].join('\n')
  mkdirSync(`${ROOT}test-results/classroom`, { recursive: true })
  writeFileSync(`${ROOT}test-results/classroom/classroom.md`, `${table}\n`)
  writeFileSync(`${ROOT}test-results/classroom/classroom.json`, JSON.stringify(rows, null, 2))
  console.info(table)
  expect(rows.map((r) => r.n)).toEqual(NS)
})
