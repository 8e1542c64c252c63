import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { HostProcess, type HostScript } from '@sship/web/testing'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
/** Where the step screenshots go (git-ignored). */
export const SHOTS = `${ROOT}test-results/queue-e2e`
/** The queue's host script, and the line where it prints the page's URL. */
export const QUEUE_HOST: HostScript = { cwd: fileURLToPath(new URL('..', import.meta.url)), script: 'host/main.ts', urlLine: /^office-hours queue: (http:\/\/[^\s#]+)/ }
export const HOST_ID = 'host-e2e'
export const HOLD_DOWN_MS = 3000
/** The HTTP port of the first host; a second host (`startHost({ id, port })`) takes another. */
export const HOST_PORT = 8080
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** What a page's `window.__sshipQueue.snapshot()` returns (the parts the test reads). */
export interface Snapshot { coordinator: string | null; epoch: number; failoverInProgress: boolean; alive: string[]; successors: string[] }

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `check` every 50 ms until it returns a value; throws with `what` and `describe()` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, describe?: () => Promise<unknown>): Promise<{ value: T; ms: number }> {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return { value, ms: Date.now() - start }
    await sleep(50)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(await describe?.().catch(String))}`)
}

export const snapshot = (p: Page): Promise<Snapshot> => p.evaluate(() => window.__sshipQueue?.snapshot() as Snapshot)
export const peerIdOf = (p: Page): Promise<string> => p.evaluate(() => window.__sshipQueue?.peerId ?? '')
export const linked = async (p: Page): Promise<number> => Number(await p.getByTestId('conn-state').getAttribute('data-linked'))
/** The queue entries' keys (`entry:<id>`) in `p`'s replica of the shared data, sorted. */
export const entryKeys = async (p: Page): Promise<string[]> =>
  Object.keys(await p.evaluate(() => window.__sshipQueue?.data() as object)).filter((k) => k.startsWith('entry:')).sort()
/** Wall-clock times at which `p` saw a timeline event of `kind`. */
export const timelineTimes = async (p: Page, kind: string): Promise<number[]> =>
  (await p.evaluate(() => window.__sshipQueue?.timeline() as Array<{ kind: string; at: number }>)).filter((e) => e.kind === kind).map((e) => e.at)

/** Screenshots every page as `<step>-<name>.png`. */
export async function shoot(pages: Record<string, Page>, step: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  for (const [name, page] of Object.entries(pages)) await page.screenshot({ path: `${SHOTS}/${step}-${name}.png`, fullPage: true })
}

/** Fills the student form and joins; returns the new entry's id. */
export async function enqueue(page: Page, name: string, topic: string): Promise<string> {
  const before = await page.getByTestId('my-entry').count()
  await page.getByTestId('student-name').fill(name)
  await page.getByTestId('student-topic').fill(topic)
  await page.getByTestId('enqueue').click()
  await page.getByTestId('my-entry').nth(before).waitFor()
  // Newest first in the list.
  return (await page.getByTestId('my-entry').first().getAttribute('data-entry')) ?? ''
}

/** Presses "Next student" and waits for the decision; returns the entry handed out, who decided, and the epoch. */
export async function dequeue(ta: Page, timeoutMs = 15_000): Promise<{ entry: string; by: string; epoch: number }> {
  const current = ta.getByTestId('current-student')
  const before = await current.getAttribute('data-entry')
  await ta.getByTestId('dequeue').click()
  const { value } = await waitFor('the TA to get a decision', async () => {
    const status = await current.getAttribute('data-status')
    if (status !== 'acknowledged') return undefined
    return { entry: (await current.getAttribute('data-entry')) ?? '', by: (await current.getAttribute('data-by')) ?? '', epoch: Number(await current.getAttribute('data-epoch')) }
  }, timeoutMs)
  expect(value.entry, 'a new entry was handed out').not.toBe(before)
  return value
}

/** One run: the host process(es), one Chromium, its contexts. `close()` releases all, printing the hosts' output. */
export class QueueSession {
  readonly hosts: HostProcess[] = []
  private browser: Browser | undefined
  private readonly contexts = new Map<Page, BrowserContext>()
  private url = ''

  /**
   * Starts a host (again, with the same GUID and port: a restart); resolves once it printed its
   * URL. The first host started is the one pages are opened from unless `open` is told otherwise.
   */
  async startHost(options: { readonly id?: string; readonly port?: number; readonly secretFile?: string; readonly dataDir?: string; readonly args?: readonly string[] } = {}): Promise<HostProcess> {
    const host = new HostProcess(QUEUE_HOST, [
      '--port', String(options.port ?? HOST_PORT), '--id', options.id ?? HOST_ID, '--hold-down', String(HOLD_DOWN_MS),
      ...(options.secretFile === undefined ? [] : ['--secret-file', options.secretFile]),
      ...(options.dataDir === undefined ? [] : ['--data-dir', options.dataDir]),
      ...(options.args ?? [])
    ])
    this.hosts.push(host)
    const url = await host.url()
    if (this.url === '' || options.id === undefined || options.id === HOST_ID) this.url = url
    return host
  }

  /**
   * Opens the page in a fresh browser context (its own storage), from `from` (a host's URL;
   * default the first host's); resolves once it shows the status.
   */
  async open(hash: string, from?: string): Promise<Page> {
    // The host's origin is plain http on a namespace address: treated as secure, so the page may
    // register its Service Worker (as it may on https or localhost).
    this.browser ??= await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${new URL(from ?? this.url).origin}`]
    })
    const context = await this.browser.newContext({ viewport: { width: 1000, height: 760 } })
    const page = await context.newPage()
    this.contexts.set(page, context)
    await page.goto(`${from ?? this.url}${hash}`)
    await page.getByTestId('server-name').waitFor({ timeout: 15_000 })
    return page
  }

  /** Opens the page in another tab of `page`'s browser (same context: same storage, BroadcastChannel between them). */
  async openTab(page: Page, hash: string): Promise<Page> {
    const context = this.contexts.get(page)
    if (context === undefined) throw new Error('openTab: not a page of this session')
    const tab = await context.newPage()
    this.contexts.set(tab, context)
    await tab.goto(`${this.url}${hash}`)
    await tab.getByTestId('server-name').waitFor({ timeout: 15_000 })
    return tab
  }

  /**
   * Leaves the page (about:blank: the peer stops, its context and storage stay), then, when
   * `back()` is called, loads it again in the same tab; resolves once it shows the status.
   */
  async leave(page: Page): Promise<{ back(hash: string): Promise<void> }> {
    await page.goto('about:blank')
    return {
      back: async (hash: string) => {
        await page.goto(`${this.url}${hash}`)
        await page.getByTestId('server-name').waitFor({ timeout: 15_000 })
      }
    }
  }

  /** Closes a page's whole context: that browser peer is gone. */
  async closePage(page: Page): Promise<void> {
    await this.contexts.get(page)?.close()
    this.contexts.delete(page)
  }

  /**
   * Waits until every page follows `coordinator` (one of them, if a list: the same one on every
   * page) and is linked to `peers` other peers (hosts and other pages).
   */
  async mesh(pages: readonly Page[], coordinator: string | readonly string[], peers: number, timeoutMs = 30_000): Promise<number> {
    const allowed = typeof coordinator === 'string' ? [coordinator] : coordinator
    const describe = (): Promise<unknown> => Promise.all(pages.map(async (p) => ({ snap: await snapshot(p), linked: await linked(p) })))
    return (await waitFor(`every page to follow one of ${allowed.join(', ')} and link to ${peers} peers`, async () => {
      const followed = new Set<string | null>()
      for (const p of pages) {
        const s = await snapshot(p)
        if (s.coordinator === null || !allowed.includes(s.coordinator) || s.failoverInProgress || (await linked(p)) !== peers) return undefined
        followed.add(s.coordinator)
      }
      return followed.size === 1 ? true : undefined
    }, timeoutMs, describe)).ms
  }

  async close(): Promise<void> {
    for (const [i, h] of this.hosts.entries()) console.info(`--- host run ${i + 1} ---\n${h.lines.join('\n')}`)
    await this.browser?.close()
    for (const h of this.hosts) await h.stop(3000).catch(() => undefined)
  }
}
