import { afterEach, expect, it } from 'vitest'
import { dequeue, enqueue, entryKeys, HOST_ID, peerIdOf, QueueSession, snapshot, waitFor } from './queuePages.js'

/**
 * Every host down, a page reloads: it loads from the Service Worker's cache, starts from its
 * IndexedDB replica, finds the room through its browser's other tab (BroadcastChannel) and opens
 * WebRTC links to other browsers through the mesh — no signaling server is up.
 */
let session: QueueSession | undefined
afterEach(async () => {
  await session?.close()
  session = undefined
})

interface Links { linked: number; browsers: number; signaling: number }
const linksOf = async (p: import('playwright-core').Page): Promise<Links> => (await p.evaluate(() => window.__sshipQueue?.links())) as Links

it('a page reloads while the host is down: from cache, its replica and its sibling tab, it rejoins and links to another browser through the mesh', async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run test:e2e` (it makes the network namespace)').toBeTruthy()
  session = new QueueSession()
  const host = await session.startHost()
  // The TA joins first: next after the host in the successorship list, so the coordinator once the host is gone.
  const ta = await session.open('#ta')
  const alice = await session.open('#student')
  const aliceTab = await session.openTab(alice, '#student')
  await session.mesh([ta, alice, aliceTab], HOST_ID, 3)
  await ta.getByTestId('ta-name').fill('Tess')
  await waitFor('the offline shell to be installed', async () =>
    (await alice.evaluate(async () => (await navigator.serviceWorker.ready).active !== null)) ? true : undefined, 20_000)
  const a1 = await enqueue(alice, 'Alice', 'before the outage')

  // Every host gone: the TA's browser takes over.
  await host.kill()
  const taId = await peerIdOf(ta)
  await waitFor('the TA\'s browser to coordinate', async () => {
    const snaps = await Promise.all([ta, alice, aliceTab].map(snapshot))
    return snaps.every((s) => s.coordinator === taId && !s.failoverInProgress) ? true : undefined
  }, 20_000, () => Promise.all([ta, alice, aliceTab].map(snapshot)))

  // Alice reloads with no host: the page comes from cache (the host's port is closed), her replica from IndexedDB.
  await alice.reload()
  await alice.getByTestId('server-name').waitFor({ timeout: 30_000 })
  expect(await alice.evaluate(() => window.__sshipQueue?.restored)).toBe(true)
  expect(await entryKeys(alice)).toContain(`entry:${a1}`)
  // She finds the room through her other tab, and the healer opens a WebRTC link to the TA's browser through the mesh.
  const { value: links } = await waitFor('the reloaded page to follow the TA and hold a WebRTC link with no signaling server', async () => {
    const [s, l] = await Promise.all([snapshot(alice), linksOf(alice)])
    return s.coordinator === taId && l.signaling === 0 && l.browsers >= 1 && s.alive.includes(taId) ? l : undefined
  }, 60_000, async () => ({ snap: await snapshot(alice), links: await linksOf(alice) }))
  expect(links.signaling).toBe(0)

  // And she is served: her new question is handed out by the TA's browser.
  const a2 = await enqueue(alice, 'Alice', 'after the reload')
  const d1 = await dequeue(ta, 30_000)
  expect(d1).toMatchObject({ entry: a1, by: taId })
  const d2 = await dequeue(ta, 30_000)
  expect(d2).toMatchObject({ entry: a2, by: taId })
  console.info(JSON.stringify({ test: 'reload while the host is down', linksAfterReload: links }))
})
