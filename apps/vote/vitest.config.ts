import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

/** Unit tests of the vote app, on core's sources (like the root config), so no build is needed first. */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@sship\/core\/testing$/, replacement: src('../../packages/core/src/testing/index.ts') },
      { find: /^@sship\/core\/transport-suite$/, replacement: src('../../packages/core/src/testing/suite.ts') },
      { find: /^@sship\/core$/, replacement: src('../../packages/core/src/index.ts') }
    ]
  },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000
  }
})
