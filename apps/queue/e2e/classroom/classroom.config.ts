import { defineConfig } from 'vitest/config'

/** The classroom bench (real Chromium contexts): run by `e2e/classroom/run.ts` inside a network namespace it made. */
export default defineConfig({
  test: {
    include: ['e2e/classroom/*.bench.ts'],
    testTimeout: 40 * 60_000,
    hookTimeout: 60_000,
    fileParallelism: false
  }
})
