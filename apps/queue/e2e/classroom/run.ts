import { fileURLToPath } from 'node:url'
import { runBrowserE2e } from '@sship/web/testing'

/**
 * `npm run bench:classroom`: n real Chromium contexts on one host (`SSHIP_CLASSROOM_N`, default 5;
 * e.g. `SSHIP_CLASSROOM_N=10,20`), inside a private network namespace pair (`sship-qc-<pid>-…`)
 * that this run makes and removes. Writes `test-results/classroom/classroom.{md,json}`.
 */
runBrowserE2e({
  appDir: fileURLToPath(new URL('../..', import.meta.url)),
  config: 'e2e/classroom/classroom.config.ts',
  netnsPrefix: 'sship-qc-',
  args: process.argv.slice(2)
}).then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
