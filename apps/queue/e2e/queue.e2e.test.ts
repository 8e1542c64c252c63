import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import type { Page } from 'playwright-core'
import { afterEach, expect, it } from 'vitest'
import {
  dequeue, enqueue, entryKeys, HOLD_DOWN_MS, HOST_ID, HOST_PORT, linked, peerIdOf, QueueSession, ROOT, SHOTS, shoot, sleep, snapshot, timelineTimes, waitFor
} from './queuePages.js'

/**
 * The queue in real browsers (Debian's Chromium, headless) against the real Node host, inside
 * the network namespace `e2e/run.ts` made. Screenshots of each step go to
 * `test-results/queue-e2e/`; with `SSHIP_E2E_DOCS=1` the TA's view is also saved as
 * `docs/queue-ta.png` at the repository root.
 */
let session: QueueSession | undefined
afterEach(async () => {
  await session?.close()
  session = undefined
})

/** Waits until every page follows one coordinator other than `not`, at an epoch above `above`. */
async function newCoordinator(pages: readonly Page[], not: readonly string[], above: number): Promise<{ coordinator: string; epoch: number }> {
  return (await waitFor('every page to follow one new coordinator at a higher epoch', async () => {
    const snaps = await Promise.all(pages.map(snapshot))
    const c = snaps[0]?.coordinator
    if (c === null || c === undefined || not.includes(c)) return undefined
    return snaps.every((s) => s.coordinator === c && s.epoch > above && !s.failoverInProgress) ? { coordinator: c, epoch: snaps[0]?.epoch ?? 0 } : undefined
  }, 15_000, () => Promise.all(pages.map(snapshot)))).value
}

/** Makes `page` report `state` as its visibility and fire `visibilitychange`, as a browser does when a tab goes to the background. */
async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s })
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' })
    document.dispatchEvent(new Event('visibilitychange'))
  }, state)
}

/** Every page holds exactly `assigned` as server state and exactly `entries` as queue entries. */
async function expectReplicas(pages: readonly Page[], assigned: Record<string, string>, entries: readonly string[]): Promise<void> {
  for (const p of pages) {
    expect(await p.evaluate(() => window.__sshipQueue?.state())).toEqual({ assigned })
    const keys = await entryKeys(p)
    expect(keys).toEqual(entries.map((id) => `entry:${id}`).sort())
  }
}

it('two students and a TA: enqueue, dequeue, the host crashes while a student enqueues, a browser takes over, the host takes the role back', async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run test:e2e` (it makes the network namespace)').toBeTruthy()
  session = new QueueSession()
  const host = await session.startHost()
  const alice = await session.open('#student')
  const bob = await session.open('#student')
  const ta = await session.open('#ta')
  const pages = { alice, bob, ta }
  const all = [alice, bob, ta]

  // 1. Everyone follows the host and is linked to every other peer (host over WebSocket, browsers over WebRTC).
  const meshMs = await session.mesh(all, HOST_ID, 3)
  const epoch1 = (await snapshot(ta)).epoch
  await ta.getByTestId('ta-name').fill('Tess')
  await shoot(pages, '01-joined')

  // 2. Both students enqueue (CRDT writes); each sees its position.
  const a1 = await enqueue(alice, 'Alice', 'loops and invariants')
  await sleep(20)
  const b1 = await enqueue(bob, 'Bob', 'proof by induction')
  await waitFor('positions #1 and #2', async () =>
    (await alice.getByTestId('my-entry').first().getAttribute('data-position')) === '1' &&
    (await bob.getByTestId('my-entry').first().getAttribute('data-position')) === '2' ? true : undefined, 10_000)
  await shoot(pages, '02-enqueued')

  // 3. The TA dequeues: the host (the coordinator) decides, Alice first.
  const d1 = await dequeue(ta)
  expect(d1).toMatchObject({ entry: a1, by: HOST_ID, epoch: epoch1 })
  await waitFor('Alice to see her TA', async () => (await alice.getByTestId('my-entry').first().getAttribute('data-status')) === 'assigned' ? true : undefined, 10_000)
  await shoot(pages, '03-dequeued-by-host')

  // 4. The host crashes while Alice enqueues again.
  const successors = (await snapshot(ta)).successors
  const enqueueing = enqueue(alice, 'Alice', 'a second question')
  const killedAt = Date.now()
  await host.kill()
  const a2 = await enqueueing
  const next = await newCoordinator(all, [HOST_ID], epoch1)
  // When each page saw the successor take over (its timeline's wall-clock time), after the kill.
  const failoverMs = await Promise.all(all.map(async (p) => Math.max(...await timelineTimes(p, 'failover')) - killedAt))
  const browserIds = await Promise.all(all.map(peerIdOf))
  expect(browserIds).toContain(next.coordinator)
  // Usually the next browser of the successorship list; two candidates that claim at once are
  // settled by the term order (epoch, then GUID), so only "a browser, and everyone agrees" is certain.
  const expectedNext = successors.find((s) => s !== HOST_ID && browserIds.includes(s))
  await shoot(pages, '04-host-killed-failover')

  // 5. The TA's next dequeue is decided by the new coordinator: Bob (Alice's second entry is younger).
  const d2 = await dequeue(ta)
  expect(d2).toMatchObject({ entry: b1, by: next.coordinator, epoch: next.epoch })
  await shoot(pages, '05-dequeued-by-successor')

  // 6. The host returns (same GUID, empty document); after the hold-down it takes the role back.
  const host2 = await session.startHost()
  const failbackMs = await session.mesh(all, HOST_ID, 3)
  expect(failbackMs, 'failback waits for the hold-down').toBeGreaterThanOrEqual(HOLD_DOWN_MS)
  const back = await snapshot(ta)
  expect(back.epoch).toBeGreaterThan(next.epoch)

  // 7. The host decides again: Alice's second entry, enqueued as the host went down, was not lost.
  const d3 = await dequeue(ta)
  expect(d3).toMatchObject({ entry: a2, by: HOST_ID, epoch: back.epoch })
  await waitFor('the timeline to show the failover and the failback', async () =>
    (await timelineTimes(ta, 'failover')).length > 0 && (await timelineTimes(ta, 'failback')).length > 0 ? true : undefined, 5000)
  await shoot(pages, '06-failback-dequeued-by-host')
  if (process.env.SSHIP_E2E_DOCS === '1') {
    mkdirSync(`${ROOT}docs`, { recursive: true })
    copyFileSync(`${SHOTS}/06-failback-dequeued-by-host-ta.png`, `${ROOT}docs/queue-ta.png`)
  }

  // 8. Every replica agrees: three students handed out once each, to Tess, and nobody lost.
  await expectReplicas(all, { [a1]: 'Tess', [b1]: 'Tess', [a2]: 'Tess' }, [a1, b1, a2])
  console.info(JSON.stringify({
    test: 'host killed', meshMs, failoverMs, failbackMs, nextInList: next.coordinator === expectedNext, holdDownMs: HOLD_DOWN_MS,
    epochs: [epoch1, next.epoch, back.epoch], decidedBy: [d1.by, d2.by, d3.by]
  }))
  expect(await host2.stop()).toBe(0)
})

it('a browser coordinator goes too: its context is closed while a student enqueues, the next browser serves, the host takes the role back', async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run test:e2e` (it makes the network namespace)').toBeTruthy()
  session = new QueueSession()
  const host = await session.startHost()
  // Carol joins first, so she is next after the host in the successorship list.
  const carol = await session.open('#student')
  const alice = await session.open('#student')
  const ta = await session.open('#ta')
  await session.mesh([carol, alice, ta], HOST_ID, 3)
  const epoch1 = (await snapshot(ta)).epoch
  await ta.getByTestId('ta-name').fill('Tess')
  const c1 = await enqueue(carol, 'Carol', 'dynamic programming')
  const a1 = await enqueue(alice, 'Alice', 'pointers')

  // The host crashes: a browser takes over.
  await host.kill()
  const first = await newCoordinator([carol, alice, ta], [HOST_ID], epoch1)
  const victim = [carol, alice, ta][(await Promise.all([carol, alice, ta].map(peerIdOf))).indexOf(first.coordinator)]
  expect(victim, 'the first successor is Carol (she joined first)').toBe(carol)

  // Carol's browser goes away while Alice enqueues; the next browser serves the TA.
  const enqueueing = enqueue(alice, 'Alice', 'a second question')
  const closedAt = Date.now()
  await session.closePage(carol)
  const a2 = await enqueueing
  const second = await newCoordinator([alice, ta], [HOST_ID, first.coordinator], first.epoch)
  const browserFailoverMs = await Promise.all([alice, ta].map(async (p) => Math.max(...await timelineTimes(p, 'failover')) - closedAt))
  const d1 = await dequeue(ta)
  expect(d1).toMatchObject({ entry: c1, by: second.coordinator, epoch: second.epoch })
  await shoot({ alice, ta }, '11-browser-coordinator-closed')

  // The host returns and takes the role back; it hands out the next two in order.
  await session.startHost()
  const failbackMs = await session.mesh([alice, ta], HOST_ID, 2)
  const d2 = await dequeue(ta)
  const d3 = await dequeue(ta)
  expect([d2.entry, d3.entry]).toEqual([a1, a2])
  expect([d2.by, d3.by]).toEqual([HOST_ID, HOST_ID])
  await shoot({ alice, ta }, '12-failback-after-two-failovers')
  await expectReplicas([alice, ta], { [c1]: 'Tess', [a1]: 'Tess', [a2]: 'Tess' }, [c1, a1, a2])
  console.info(JSON.stringify({ test: 'browser coordinator closed', browserFailoverMs, failbackMs, epochs: [epoch1, first.epoch, second.epoch, (await snapshot(ta)).epoch] }))
})

it('a browser coordinator frozen and resumed 10 times (a phone in a pocket): at most one role change per freeze, never a failback to it', async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run test:e2e` (it makes the network namespace)').toBeTruthy()
  session = new QueueSession()
  const host = await session.startHost()
  const carol = await session.open('#student')
  const alice = await session.open('#student')
  const ta = await session.open('#ta')
  await session.mesh([carol, alice, ta], HOST_ID, 3)
  const epoch1 = (await snapshot(ta)).epoch
  await ta.getByTestId('ta-name').fill('Tess')
  const a1 = await enqueue(alice, 'Alice', 'recursion')
  await host.kill()
  const first = await newCoordinator([carol, alice, ta], [HOST_ID], epoch1)
  const carolId = await peerIdOf(carol)
  expect(first.coordinator, 'Carol joined first, so she serves').toBe(carolId)
  // The Page Lifecycle API's freeze, as Chrome does it to a background tab (or a phone's).
  const cdp = await carol.context().newCDPSession(carol)
  let epoch = first.epoch
  const perFreeze: number[] = []
  for (let i = 0; i < 10; i++) {
    // A phone's page is hidden before the browser freezes it; headless Chromium keeps every page
    // visible, so the test makes it hidden the way the browser would (the property and its event).
    await setVisibility(carol, 'hidden')
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    await sleep(1000)
    await cdp.send('Page.setWebLifecycleState', { state: 'active' })
    await setVisibility(carol, 'visible')
    // Longer than the hold-down: a failback to Carol would have happened by now.
    await sleep(HOLD_DOWN_MS + 1500)
    const snaps = await Promise.all([carol, alice, ta].map(snapshot))
    const now = Math.max(...snaps.map((s) => s.epoch))
    perFreeze.push(now - epoch)
    epoch = now
    expect(snaps.map((s) => s.coordinator), `after freeze ${i + 1}`).not.toContain(carolId)
  }
  expect(Math.max(...perFreeze), `role changes per freeze: ${perFreeze.join(',')}`).toBeLessThanOrEqual(1)
  expect(perFreeze.slice(1).every((n) => n === 0), `only the first freeze moves the role: ${perFreeze.join(',')}`).toBe(true)
  const d = await dequeue(ta)
  expect(d).toMatchObject({ entry: a1 })
  expect(d.by).not.toBe(carolId)
  console.info(JSON.stringify({ test: 'frozen browser coordinator', perFreeze }))
}, 180_000)

it('a room with a secret, three browsers and two Node hosts: the first host dies, a browser serves, its context closes, the next serves, a new browser joins through the second host, an intruder is refused, the browsers go on without any host', async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run test:e2e` (it makes the network namespace)').toBeTruthy()
  session = new QueueSession()
  // Every link (host to host, host to browser, browser to browser) proves the secret and is encrypted.
  const secretFile = `${mkdtempSync(`${tmpdir()}/sship-e2e-`)}/room.key`
  const room = 'e2e-room-secret-0123456789'
  writeFileSync(secretFile, `${room}\n`)
  const hostA = await session.startHost({ secretFile })
  const asStudent = `#student&room=${room}`
  // The browsers join before the second host, so they come before it in the successorship list.
  const xena = await session.open(asStudent)
  const yuri = await session.open(asStudent)
  const ta = await session.open(`#ta&room=${room}`)
  const hostB = await session.startHost({ id: 'host-e2e-b', port: HOST_PORT + 10, secretFile })
  const hostBUrl = await hostB.url()
  // Each page links to both hosts (WebSocket) and the two other browsers (WebRTC): 4 peers.
  const meshMs = await session.mesh([xena, yuri, ta], HOST_ID, 4)
  const epoch1 = (await snapshot(ta)).epoch
  const ids = { xena: await peerIdOf(xena), yuri: await peerIdOf(yuri), ta: await peerIdOf(ta) }
  expect((await snapshot(ta)).successors).toEqual([HOST_ID, ids.xena, ids.yuri, ids.ta, 'host-e2e-b'])
  await ta.getByTestId('ta-name').fill('Tess')
  const x1 = await enqueue(xena, 'Xena', 'closures')
  const y1 = await enqueue(yuri, 'Yuri', 'recursion')
  const d1 = await dequeue(ta)
  expect(d1).toMatchObject({ entry: x1, by: HOST_ID, epoch: epoch1 })

  // 1. The first host (which served every page) is killed: a browser serves, with a Node peer still up.
  //    Usually Xena, the first browser in the list; candidates that claim at once are settled by term order.
  await hostA.kill()
  const first = await newCoordinator([xena, yuri, ta], [HOST_ID], epoch1)
  const byId = new Map([[ids.xena, xena], [ids.yuri, yuri], [ids.ta, ta]])
  const victim = byId.get(first.coordinator)
  expect(victim, 'a browser is the server while a Node peer is alive').toBeDefined()
  const d2 = await dequeue(ta)
  expect(d2).toMatchObject({ entry: y1, by: first.coordinator, epoch: first.epoch })
  await shoot({ xena, yuri, ta }, '21-two-hosts-browser-serves')

  // 2. The serving browser's context is closed while a student enqueues: the next peer of the list serves.
  const student = victim === xena ? yuri : xena
  const enqueueing = enqueue(student, 'Sam', 'a second question')
  const closedAt = Date.now()
  await session.closePage(victim!)
  const s2 = await enqueueing
  const survivors = [xena, yuri, ta].filter((p) => p !== victim)
  const second = await newCoordinator(survivors, [HOST_ID, first.coordinator], first.epoch)
  // When each page saw the takeover (the new server's own page logs none: null).
  const failoverMs = await Promise.all(survivors.map(async (p) => (await timelineTimes(p, 'failover')).filter((t) => t > closedAt).map((t) => t - closedAt)[0] ?? null))
  // If the TA's own browser was the server, the TA opens the page again (from the second host).
  const tess = victim === ta ? await session.open(`#ta&room=${room}`, hostBUrl) : ta
  if (tess !== ta) await tess.getByTestId('ta-name').fill('Tess')
  const d3 = await dequeue(tess)
  // Usually by the second coordinator; a browser earlier in the list may have taken the role back
  // after its 3 s hold-down meanwhile (reopening the TA's page takes a while). Never the closed one.
  expect(d3.entry).toBe(s2)
  expect(await Promise.all(survivors.map(peerIdOf))).toContain(d3.by)
  expect(d3.epoch).toBeGreaterThanOrEqual(second.epoch)

  // 3. A new browser loads the page from the second host (the first one is gone) and joins the
  //    WebRTC mesh through the second host's signaling server, which the older pages learnt from the document.
  const wren = await session.open(asStudent, hostBUrl)
  const pages = [...new Set([...survivors, tess, wren])]
  // Each page: the second host (WebSocket) and every other browser (WebRTC).
  // Served by a browser: the second coordinator, or one earlier in the list that took the role back after its hold-down.
  const joinMs = await session.mesh(pages, await Promise.all(survivors.map(peerIdOf)), pages.length)
  const w1 = await enqueue(wren, 'Wren', 'linked lists')
  const d4 = await dequeue(tess)
  // By the serving browser, or by a browser earlier in the list that took the role back after its
  // hold-down (when the second failover's race went to a later browser).
  expect(d4.entry).toBe(w1)
  expect(await Promise.all(pages.map(peerIdOf))).toContain(d4.by)
  expect(d4.epoch).toBeGreaterThanOrEqual(second.epoch)
  await shoot(Object.fromEntries(pages.map((p, i) => [`page${i}`, p])), '22-new-browser-through-second-host')

  // 4. Every replica agrees: four students handed out once each, nothing lost.
  await expectReplicas(pages, { [x1]: 'Tess', [y1]: 'Tess', [s2]: 'Tess', [w1]: 'Tess' }, [x1, y1, s2, w1])

  // 5. A page with another secret is refused by every peer it reaches and learns nothing; the host
  //    does not hand its replica out over HTTP either.
  const intruder = await session.open(`#student&room=${'not-the-secret-'.repeat(2)}`, hostBUrl)
  await waitFor('the intruder to be refused', async () => Number(await intruder.getByTestId('room-security').getAttribute('data-refused')) > 0 ? true : undefined, 15_000)
  await sleep(1000)
  expect(await linked(intruder)).toBe(0)
  expect(await entryKeys(intruder)).toEqual([])
  expect(await intruder.evaluate(() => window.__sshipQueue?.state())).toEqual({})
  expect(hostB.lines.some((l) => /^\[refused\] b-[0-9a-f]+: auth-failed/.test(l)), hostB.lines.join('\n')).toBe(true)
  expect((await fetch(`${hostBUrl}sship-doc`)).status).toBe(403)
  for (const p of pages) expect(await linked(p)).toBe(pages.length)
  const linkedBefore = await Promise.all(pages.map(linked))

  // 6. The last host (and with it the last signaling server) goes: the browsers' WebRTC links stay
  //    up and keep syncing and serving among themselves.
  await session.closePage(intruder)
  expect(await hostB.stop()).toBe(0)
  const third = second.coordinator === 'host-e2e-b' ? await newCoordinator(pages, ['host-e2e-b'], second.epoch) : second
  await waitFor('every page to keep only its browser links', async () =>
    (await Promise.all(pages.map(linked))).every((n) => n === pages.length - 1) ? true : undefined, 10_000, () => Promise.all(pages.map(linked)))
  const w2 = await enqueue(wren, 'Wren', 'with no host left')
  const d5 = await dequeue(tess)
  // Decided by a browser: the one serving, or a browser earlier in the list that took the role
  // back meanwhile (failback after its hold-down, when the race of the second failover went the other way).
  expect(d5.entry).toBe(w2)
  expect(await Promise.all(pages.map(peerIdOf))).toContain(d5.by)
  expect(d5.epoch).toBeGreaterThanOrEqual(third.epoch)
  await expectReplicas(pages, { [x1]: 'Tess', [y1]: 'Tess', [s2]: 'Tess', [w1]: 'Tess', [w2]: 'Tess' }, [x1, y1, s2, w1, w2])
  console.info(JSON.stringify({
    test: 'two hosts, browser coordinators', meshMs, failoverMs, joinMs, linked: linkedBefore,
    firstIsXena: first.coordinator === ids.xena, epochs: [epoch1, first.epoch, second.epoch, third.epoch], decidedBy: [d1.by, d2.by, d3.by, d4.by, d5.by]
  }))
})

it('a total outage: the host (with --data-dir) and every browser go down; the host comes back alone with the queue, and serves it', async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run test:e2e` (it makes the network namespace)').toBeTruthy()
  session = new QueueSession()
  const dataDir = mkdtempSync(`${tmpdir()}/sship-e2e-data-`)
  const host = await session.startHost({ dataDir })
  const alice = await session.open('#student')
  const bob = await session.open('#student')
  const ta = await session.open('#ta')
  await session.mesh([alice, bob, ta], HOST_ID, 3)
  await ta.getByTestId('ta-name').fill('Tess')
  const a1 = await enqueue(alice, 'Alice', 'graphs')
  const b1 = await enqueue(bob, 'Bob', 'heaps')
  const d1 = await dequeue(ta)
  expect(d1.entry).toBe(a1)
  // The host decided, so the decision is in its log (appended synchronously on the update). Then
  // everything goes: the host is SIGKILLed, every page closed.
  await host.kill()
  for (const p of [alice, bob, ta]) await session.closePage(p)

  // The host returns alone from its data directory: same GUID, the entries and the decision are there.
  const back = await session.startHost({ dataDir })
  expect(back.lines.some((l) => l.includes(`data kept in ${dataDir}`))).toBe(true)
  const ta2 = await session.open('#ta')
  await session.mesh([ta2], HOST_ID, 1)
  expect(await ta2.evaluate(() => window.__sshipQueue?.state())).toEqual({ assigned: { [a1]: 'Tess' } })
  const keys = await entryKeys(ta2)
  expect(keys).toEqual([a1, b1].map((id) => `entry:${id}`).sort())
  // It serves the rest of the queue: Bob next, Alice not handed out twice.
  await ta2.getByTestId('ta-name').fill('Tess')
  const d2 = await dequeue(ta2)
  expect(d2).toMatchObject({ entry: b1, by: HOST_ID })
  expect(await ta2.evaluate(() => window.__sshipQueue?.state())).toEqual({ assigned: { [a1]: 'Tess', [b1]: 'Tess' } })
  console.info(JSON.stringify({ test: 'total outage', epochs: [d1.epoch, d2.epoch] }))
})

it('a total outage where only a browser kept the queue (IndexedDB): the host comes back empty, the TA reloads, the queue is back', async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run test:e2e` (it makes the network namespace)').toBeTruthy()
  session = new QueueSession()
  const host = await session.startHost()
  const alice = await session.open('#student')
  const ta = await session.open('#ta')
  await session.mesh([alice, ta], HOST_ID, 2)
  const taId = await peerIdOf(ta)
  await ta.getByTestId('ta-name').fill('Tess')
  const a1 = await enqueue(alice, 'Alice', 'tries')
  const a2 = await enqueue(alice, 'Alice', 'a second question')
  const d1 = await dequeue(ta)
  expect(d1.entry).toBe(a1)
  await waitFor('the TA to hold both entries', async () =>
    (await entryKeys(ta)).length === 2 ? true : undefined, 10_000)

  // Everything goes down: Alice's browser is closed, the TA leaves the page, the host is SIGKILLed (no data dir).
  await session.closePage(alice)
  const gone = await session.leave(ta)
  await host.kill()

  // The host comes back empty; the TA's tab loads the page again and starts from its IndexedDB.
  await session.startHost()
  await gone.back('#ta')
  expect(await ta.evaluate(() => window.__sshipQueue?.restored)).toBe(true)
  expect(await peerIdOf(ta), 'a reload keeps the tab\'s GUID (sessionStorage)').toBe(taId)
  await waitFor('the host and the page to agree on one coordinator', async () => {
    const s = await snapshot(ta)
    return s.coordinator !== null && !s.failoverInProgress && (await linked(ta)) === 1 ? true : undefined
  }, 20_000, () => snapshot(ta))
  expect(await ta.evaluate(() => window.__sshipQueue?.state())).toEqual({ assigned: { [a1]: 'Tess' } })
  const d2 = await dequeue(ta)
  expect(d2.entry, 'Alice\'s second entry, not her first again').toBe(a2)
  // The reloaded page started from what it kept: its timeline says so, and shows no handoff.
  expect((await timelineTimes(ta, 'resumed')).length, 'a resumed page says "resumed"').toBe(1)
  expect(await timelineTimes(ta, 'handoff')).toEqual([])
  console.info(JSON.stringify({ test: 'browser kept the queue', epochs: [d1.epoch, d2.epoch], decidedBy: [d1.by, d2.by] }))
})

it('a TA PIN keeps students out of the TA desk; with --private-topics students see who waits, not what about', async () => {
  session = new QueueSession()
  await session.startHost({ args: ['--ta-pin', '2468', '--private-topics'] })
  const student = await session.open('#student')
  const ta = await session.open('#ta')
  await session.mesh([student, ta], HOST_ID, 2)
  expect(await ta.getByTestId('ta-name').count(), 'the desk is locked').toBe(0)
  await ta.getByTestId('ta-pin').fill('1357')
  await ta.getByTestId('ta-unlock').click()
  await ta.getByTestId('pin-wrong').waitFor()
  await ta.getByTestId('ta-pin').fill('2468')
  await ta.getByTestId('ta-unlock').click()
  await ta.getByTestId('ta-name').waitFor()
  await enqueue(student, 'Dana', 'recursion depth')
  await waitFor('the TA to see Dana with her topic', async () =>
    (await ta.getByTestId('queue-list').textContent())?.includes('recursion depth') === true ? true : undefined, 10_000)
  const seenByStudent = (await student.getByTestId('queue-list').textContent()) ?? ''
  expect(seenByStudent).toContain('Dana')
  expect(seenByStudent, 'topics are for TAs only').not.toContain('recursion depth')
  // Names, not GUIDs: the TA appears by name on the student's screen once she typed it.
  await ta.getByTestId('ta-name').fill('Tess')
  await ta.getByTestId('ta-name').blur()
  await waitFor('the student to see the TA by name', async () =>
    (await student.getByTestId('successors').textContent())?.includes('TA Tess') === true ? true : undefined, 10_000)
  await shoot({ student, ta }, '08-pin-private-topics')
})
