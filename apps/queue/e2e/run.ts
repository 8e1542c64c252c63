import { fileURLToPath } from 'node:url'
import { runBrowserE2e } from '@sship/web/testing'

/**
 * `npm run test:e2e`: the queue's browser tests in Chromium, inside a private network namespace
 * pair (`sship-qe-<pid>-…`) that this run makes and removes (see `runBrowserE2e`).
 */
runBrowserE2e({
  appDir: fileURLToPath(new URL('..', import.meta.url)),
  config: 'e2e/vitest.config.ts',
  netnsPrefix: 'sship-qe-',
  args: process.argv.slice(2)
}).then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
