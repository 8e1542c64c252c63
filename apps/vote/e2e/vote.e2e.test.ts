import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { HostProcess, type HostScript } from '@sship/web/testing'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterEach, expect, it } from 'vitest'

/**
 * The class vote in real browsers (Debian's Chromium, headless) against the real Node host,
 * inside the network namespace `e2e/run.ts` made: a teacher and three students; the host is
 * killed while two students vote; a browser takes over and counts them; the host comes back and
 * takes the role back; the teacher closes the poll. Every vote is counted once and the frozen
 * result is the same on every page. Screenshots go to `test-results/vote-e2e/`.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const SHOTS = `${ROOT}test-results/vote-e2e`
const HOST: HostScript = { cwd: fileURLToPath(new URL('..', import.meta.url)), script: 'host/main.ts', urlLine: /^class vote: (http:\/\/[^\s#]+)/ }
const HOST_ID = 'host-vote-e2e'
const HOLD_DOWN_MS = 3000
const PORT = 8090
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

interface Snapshot { coordinator: string | null; epoch: number; failoverInProgress: boolean }
interface State { polls?: Record<string, { status: string; result?: number[]; options: string[] }>; current?: string; votes?: Record<string, Record<string, number>> }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const snapshot = (p: Page): Promise<Snapshot> => p.evaluate(() => window.__sshipVote?.snapshot() as Snapshot)
const stateOf = (p: Page): Promise<State> => p.evaluate(() => window.__sshipVote?.state() as State)
const voterOf = (p: Page): Promise<string> => p.evaluate(() => window.__sshipVote?.voter ?? '')
const peerIdOf = (p: Page): Promise<string> => p.evaluate(() => window.__sshipVote?.peerId ?? '')
const linkedOf = (p: Page): Promise<number> => p.evaluate(() => window.__sshipVote?.linked() ?? 0)

/** Polls `check` every 50 ms until it returns a value; throws with `what` and `describe()` after `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, describe?: () => Promise<unknown>): Promise<T> {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    await sleep(50)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(await describe?.().catch(String))}`)
}

/** Waits until every page follows one coordinator allowed by `ok`, at an epoch above `above`, linked to `peers` others. */
async function follow(pages: readonly Page[], ok: (c: string) => boolean, above: number, peers: number): Promise<Snapshot> {
  return waitFor('every page to follow one coordinator', async () => {
    const snaps = await Promise.all(pages.map(snapshot))
    const c = snaps[0]?.coordinator
    if (c === null || c === undefined || !ok(c)) return undefined
    if (!snaps.every((s) => s.coordinator === c && s.epoch > above && !s.failoverInProgress)) return undefined
    return (await Promise.all(pages.map(linkedOf))).every((n) => n === peers) ? snaps[0] : undefined
  }, 30_000, () => Promise.all(pages.map(async (p) => ({ snap: await snapshot(p), linked: await linkedOf(p) }))))
}

let browser: Browser | undefined
const hosts: HostProcess[] = []
afterEach(async () => {
  for (const [i, h] of hosts.entries()) console.info(`--- host run ${i + 1} ---\n${h.lines.join('\n')}`)
  await browser?.close()
  for (const h of hosts.splice(0)) await h.stop(3000).catch(() => undefined)
})

async function startHost(): Promise<{ host: HostProcess; url: string }> {
  const host = new HostProcess(HOST, ['--port', String(PORT), '--id', HOST_ID, '--hold-down', String(HOLD_DOWN_MS)])
  hosts.push(host)
  return { host, url: await host.url() }
}

/** A fresh browser context (its own storage: its own voter) on the page. */
async function open(url: string, hash: string): Promise<Page> {
  browser ??= await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS })
  const page = await (await browser.newContext({ viewport: { width: 420, height: 760 } })).newPage()
  await page.goto(`${url}${hash}`)
  await page.getByTestId('server-name').waitFor({ timeout: 15_000 })
  return page
}

async function shoot(pages: Record<string, Page>, step: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  for (const [name, page] of Object.entries(pages)) await page.screenshot({ path: `${SHOTS}/${step}-${name}.png` })
}

it('a teacher and three students: the host is killed mid-vote, a browser counts, the host takes the role back, every vote counted once', async () => {
  expect(process.env.SSHIP_E2E_NETNS, 'run through `npm run test:e2e:vote` (it makes the network namespace)').toBeTruthy()
  const { host, url } = await startHost()
  const teacher = await open(url, '#teacher')
  const students = [await open(url, '#student'), await open(url, '#student'), await open(url, '#student')]
  const [ann, ben, cat] = students as [Page, Page, Page]
  const all = [teacher, ...students]
  const pages = { teacher, ann, ben, cat }

  // 1. Everyone follows the host and is linked to every other peer (4 others: the host and 3 pages).
  const first = await follow(all, (c) => c === HOST_ID, 0, 4)
  await shoot(pages, '01-joined')

  // 2. The teacher asks; every student sees the question.
  await teacher.getByTestId('new-question').fill('Which loop ends?')
  await teacher.getByTestId('new-options').fill('for\nwhile\nrecursion')
  await teacher.getByTestId('open').click()
  for (const s of students) await s.getByTestId('question').waitFor({ timeout: 10_000 })

  // 3. Ann votes while the host counts.
  await ann.getByTestId('option-0').click()
  await ann.getByTestId('my-vote').waitFor({ timeout: 10_000 })
  await shoot(pages, '02-first-vote')

  // 4. The host is killed as Ben and Cat vote: their votes wait in the document for the next server.
  await host.kill()
  await ben.getByTestId('option-1').click()
  await cat.getByTestId('option-2').click()
  const browserIds = await Promise.all(all.map(peerIdOf))
  const next = await follow(all, (c) => browserIds.includes(c), first.epoch, 3)
  for (const s of [ben, cat]) await s.getByTestId('my-vote').waitFor({ timeout: 15_000 })
  await shoot(pages, '03-failover-votes-counted')

  // 5. The host returns (same GUID, empty document); after the hold-down it takes the role back.
  const back = await startHost()
  const failback = await follow(all, (c) => c === HOST_ID, next.epoch, 4)
  expect(failback.epoch).toBeGreaterThan(next.epoch)

  // 6. Ann reloads (same browser and tab: same voter, same peer): her counted vote shows, no buttons to vote again.
  const poll = (await stateOf(ann)).current ?? ''
  await ann.reload()
  await follow(all, (c) => c === HOST_ID, next.epoch, 4)
  await ann.getByTestId('my-vote').waitFor({ timeout: 15_000 })
  expect(await ann.getByTestId('my-vote').getAttribute('data-option')).toBe('0')
  expect(await ann.getByTestId('option-0').count()).toBe(0)

  // 7. The teacher closes the poll, decided by the host; the result is frozen, the same everywhere.
  await teacher.getByTestId('close').click()
  await teacher.getByTestId('closed').waitFor({ timeout: 15_000 })
  const late = await open(back.url, '#student')
  await late.getByTestId('closed').waitFor({ timeout: 15_000 })
  expect(await late.getByTestId('option-0').count(), 'no voting after the close').toBe(0)
  await shoot({ ...pages, late }, '04-closed')
  const voters = await Promise.all(students.map(voterOf))
  for (const p of [...all, late]) {
    const state = await waitFor('the closed poll on every page', async () => {
      const s = await stateOf(p)
      return s.polls?.[poll]?.status === 'closed' ? s : undefined
    }, 15_000)
    expect(state.polls?.[poll]?.result, 'the frozen result: each vote once').toEqual([1, 1, 1])
    expect(state.votes?.[poll], 'one vote per student').toEqual({ [voters[0] ?? '']: 0, [voters[1] ?? '']: 1, [voters[2] ?? '']: 2 })
  }
  for (let i = 0; i < 3; i++) expect(await teacher.getByTestId(`count-${i}`).textContent()).toBe('1')
  console.info(`vote e2e: failover to ${next.coordinator} at epoch ${next.epoch}, failback at epoch ${failback.epoch}`)
})
