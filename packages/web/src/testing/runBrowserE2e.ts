import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createLab } from './netnsLab.js'

/** Where the browser e2e runs look for Chromium (Debian's package). */
export const CHROMIUM = '/usr/bin/chromium'

/** Installs Debian's `chromium` with apt-get if {@link CHROMIUM} is missing (bounded). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return
  console.log(`${CHROMIUM} is missing: installing Debian's chromium (apt-get)`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env, timeout: 15 * 60_000 })
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status ?? r.signal}); install chromium by hand`)
  }
}

/** What {@link runBrowserE2e} runs. */
export interface BrowserE2eOptions {
  /** The app's directory: its `dist/index.html` must be built; vitest runs there. */
  readonly appDir: string
  /** The vitest config of the browser tests, relative to `appDir`. */
  readonly config: string
  /** Prefix of the network namespaces this run makes (distinct per app, e.g. `sship-qe-`). */
  readonly netnsPrefix: string
  /** Extra vitest arguments (e.g. a test name filter). */
  readonly args?: readonly string[]
}

/**
 * A browser e2e run: makes sure Debian's Chromium is installed, builds a private network
 * namespace (see `createLab`), and runs vitest inside it (`SSHIP_E2E_NETNS` names it), so the
 * host, Chromium and every WebRTC packet stay in namespaces this run created; removes them
 * afterwards, on Ctrl-C too. Resolves with vitest's exit code.
 */
export async function runBrowserE2e(options: BrowserE2eOptions): Promise<number> {
  ensureChromium()
  const { appDir } = options
  if (!existsSync(`${appDir}/dist/index.html`)) throw new Error(`the page is not built: run \`vite build\` in ${appDir} first`)
  const vitest = findUp(appDir, 'node_modules/vitest/vitest.mjs')
  const lab = await createLab(options.netnsPrefix)
  const stop = (): void => {
    void lab.destroy().then(() => process.exit(130))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    console.log(`e2e network namespace ${lab.ns} (${lab.address}, default route to ${lab.peerNs})`)
    return await new Promise<number>((resolve) => {
      const child = spawn('ip', ['netns', 'exec', lab.ns, process.execPath, vitest, 'run', '--config', options.config, ...(options.args ?? [])], {
        cwd: appDir, stdio: 'inherit', env: { ...process.env, SSHIP_E2E_NETNS: lab.ns }
      })
      child.on('exit', (c, signal) => resolve(c ?? (signal === null ? 1 : 128)))
    })
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    await lab.destroy()
  }
}

/** `relative` in `dir` or the nearest parent that has it (vitest's CLI is not an export of the package). */
function findUp(dir: string, relative: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, relative))) return join(at, relative)
    if (dirname(at) === at) throw new Error(`${relative} not found above ${dir}: run npm ci`)
  }
}
