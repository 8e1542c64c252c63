import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createLab } from './netnsLab.js'

/**
 * `npm run test:e2e`: makes sure Debian's Chromium is installed, builds a private network
 * namespace (see `createLab`), and runs the browser tests inside it, so the host, Chromium and
 * every WebRTC packet stay in namespaces this run created. Removes the namespaces afterwards.
 */
const CHROMIUM = '/usr/bin/chromium'
const APP_DIR = fileURLToPath(new URL('..', import.meta.url))

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return
  console.log(`${CHROMIUM} is missing: installing Debian's chromium (apt-get)`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env, timeout: 15 * 60_000 })
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status ?? r.signal}); install chromium by hand`)
  }
}

async function main(): Promise<number> {
  ensureChromium()
  if (!existsSync(`${APP_DIR}/dist/index.html`)) throw new Error('the page is not built: run `npm run -w apps/queue build` first (npm run test:e2e at the root does)')
  const lab = await createLab()
  const stop = (): void => {
    void lab.destroy().then(() => process.exit(130))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    console.log(`e2e network namespace ${lab.ns} (${lab.address}, default route to ${lab.peerNs})`)
    const code = await new Promise<number>((resolve) => {
      const child = spawn('ip', ['netns', 'exec', lab.ns, process.execPath, `${APP_DIR}/../../node_modules/vitest/vitest.mjs`, 'run', '--config', 'e2e/vitest.config.ts', ...process.argv.slice(2)], {
        cwd: APP_DIR, stdio: 'inherit', env: { ...process.env, SSHIP_E2E_NETNS: lab.ns }
      })
      child.on('exit', (c, signal) => resolve(c ?? (signal === null ? 1 : 128)))
    })
    return code
  } finally {
    await lab.destroy()
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
