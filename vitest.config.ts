import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@sship\/core\/testing$/, replacement: src('./packages/core/src/testing/index.ts') },
      { find: /^@sship\/core\/security$/, replacement: src('./packages/core/src/security/index.ts') },
      { find: /^@sship\/core\/internals$/, replacement: src('./packages/core/src/internals.ts') },
      { find: /^@sship\/core\/transport-suite$/, replacement: src('./packages/core/src/testing/suite.ts') },
      { find: /^@sship\/core$/, replacement: src('./packages/core/src/index.ts') }
    ]
  },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.{ts,tsx}', 'bench/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000
  }
})
