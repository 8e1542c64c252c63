import { defineConfig } from 'vitest/config'

/** The browser tests: run by `e2e/run.ts` inside a network namespace it made (never directly). */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    fileParallelism: false
  }
})
