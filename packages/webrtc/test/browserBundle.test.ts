import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))

describe('the browser entry point', () => {
  it('bundles for browsers with no alias: the `browser` condition of `#simple-peer` picks simple-peer\'s self-contained build, and no Node-only module comes in', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent'
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((p) => /node_modules\/(ws|@roamhq)\//.test(p)), 'Node-only modules in the bundle').toEqual([])
    expect(inputs.some((p) => p.includes('simple-peer/simplepeer.min.js'))).toBe(true)
    const bytes = result.outputFiles[0]?.contents.byteLength ?? 0
    console.info(`browser bundle of @sship/webrtc (with @sship/core, yjs, simple-peer): ${(bytes / 1024).toFixed(0)} KiB unminified`)
  })
})
