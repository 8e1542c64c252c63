/**
 * `npm run check:packages`: checks every published package as a user would receive it.
 *
 * For each non-private workspace under `packages/`: builds it, packs it with `npm pack`, lints
 * the tarball with publint (errors and warnings fail) and with attw (@arethetypeswrong/cli,
 * profile `esm-only`: the packages are ESM only, so `require` is out of scope), installs the
 * unpacked tarballs side by side in a scratch `node_modules`, and bundles every package meant
 * for browsers with esbuild (`platform: 'browser'`, minified, no alias): an unresolved import
 * fails the check. Sizes are gzip level 9 of the whole bundle (Yjs, lib0 and simple-peer
 * included; React left out, the app brings it). `coreGzipBytes` is the root of `@sship/core`;
 * `yjsGzipBytes` is Yjs + y-protocols (sync, awareness) bundled the same way, the budget's base.
 *
 * Prints, last, one JSON line: `{"packages", "publint", "attw", "browserBundles", "coreGzipBytes", …}`.
 */
import { build } from 'esbuild'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

const root = resolve(import.meta.dirname, '..')
/** Packages for Node only (sockets, mDNS, the file system): not bundled for browsers. */
const NODE_ONLY = new Set(['@sship/lan', '@sship/persist'])
/** Peers an app brings itself; left out of the bundle sizes. */
const APP_PROVIDED = ['react', 'react-dom', 'react/jsx-runtime']
/** Resolution kinds attw's `esm-only` profile ignores (`require` and pre-exports resolution). */
const ESM_ONLY_IGNORES = new Set(['node10', 'node16-cjs'])

interface Workspace { readonly name: string, readonly dir: string }

function workspaces(): Workspace[] {
  const found: Workspace[] = []
  for (const entry of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', entry)
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string, private?: boolean }
    if (pkg.private !== true) found.push({ name: pkg.name, dir })
  }
  return found
}

/** `npm pack` into `dest`; returns the tarball's path. */
function pack(ws: Workspace, dest: string): string {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: ws.dir, encoding: 'utf8' })
  const [info] = JSON.parse(out) as { filename: string }[]
  if (info === undefined) throw new Error(`npm pack printed nothing for ${ws.name}`)
  return join(dest, info.filename)
}

async function lintWithPublint(ws: Workspace, tarball: string): Promise<number> {
  const bytes = readFileSync(tarball)
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  // No pkgDir: publint then reads the package from the tarball's own root.
  const { messages, pkg } = await publint({ pack: { tarball: data }, level: 'suggestion' })
  for (const m of messages) console.log(`publint ${ws.name} ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`)
  return messages.filter((m) => m.type !== 'suggestion').length
}

function lintWithAttw(ws: Workspace, tarball: string): number {
  const attw = join(root, 'node_modules', '.bin', 'attw')
  const run = spawnSync(attw, [tarball, '--profile', 'esm-only', '--format', 'json', '--no-color'], { encoding: 'utf8' })
  const report = JSON.parse(run.stdout) as { analysis?: { problems?: { resolutionKind?: string }[] } }
  // The JSON lists every problem; the esm-only profile leaves out CommonJS resolution.
  const problems = (report.analysis?.problems ?? []).filter((p) => !ESM_ONLY_IGNORES.has(p.resolutionKind ?? ''))
  for (const p of problems) console.log(`attw ${ws.name}: ${JSON.stringify(p)}`)
  if (run.status !== 0 && problems.length === 0) throw new Error(`attw failed on ${ws.name}: ${run.stderr}`)
  return problems.length
}

/** Bundles `source` for browsers from `resolveDir`; returns gzip bytes, or throws on any error. */
async function browserBundle(source: string, resolveDir: string): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    external: APP_PROVIDED,
    nodePaths: [join(root, 'node_modules')]
  })
  const code = result.outputFiles[0]?.contents ?? new Uint8Array(0)
  return gzipSync(code, { level: 9 }).byteLength
}

async function main(): Promise<void> {
  const list = workspaces()
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b', ...list.map((ws) => ws.dir)], { stdio: 'inherit' })
  const scratch = mkdtempSync(join(tmpdir(), 'sship-check-packages-'))
  const failures: string[] = []
  const publintResults: Record<string, number> = {}
  const attwResults: Record<string, number> = {}
  const browserBundles: Record<string, number> = {}
  try {
    const tarballs = new Map<string, string>()
    for (const ws of list) {
      const tarball = pack(ws, scratch)
      tarballs.set(ws.name, tarball)
      const unpacked = join(scratch, 'node_modules', ws.name)
      mkdirSync(unpacked, { recursive: true })
      execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'])
    }
    for (const ws of list) {
      const tarball = tarballs.get(ws.name)!
      publintResults[ws.name] = await lintWithPublint(ws, tarball)
      attwResults[ws.name] = lintWithAttw(ws, tarball)
      if (publintResults[ws.name]! > 0) failures.push(`publint: ${ws.name}`)
      if (attwResults[ws.name]! > 0) failures.push(`attw: ${ws.name}`)
      if (NODE_ONLY.has(ws.name)) continue
      try {
        browserBundles[ws.name] = await browserBundle(`export * from '${ws.name}'\n`, scratch)
      } catch (error) {
        const errors = (error as { errors?: { text: string, location?: { file: string } | null }[] }).errors ?? []
        for (const e of errors) console.log(`esbuild ${ws.name}: ${e.text}${e.location ? ` (${e.location.file})` : ''}`)
        if (errors.length === 0) console.log(`esbuild ${ws.name}: ${String(error)}`)
        failures.push(`browser bundle: ${ws.name}`)
      }
    }
    const yjsGzipBytes = await browserBundle(
      "export * from 'yjs'\nexport * as sync from 'y-protocols/sync'\nexport * as awareness from 'y-protocols/awareness'\n", scratch
    )
    for (const f of failures) console.log(`FAILED ${f}`)
    console.log(JSON.stringify({
      packages: list.map((ws) => ws.name),
      publint: publintResults,
      attw: attwResults,
      browserBundles,
      coreGzipBytes: browserBundles['@sship/core'] ?? null,
      yjsGzipBytes,
      ok: failures.length === 0
    }))
    if (failures.length > 0) process.exitCode = 1
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
