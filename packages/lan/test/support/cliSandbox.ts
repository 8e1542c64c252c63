import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { afterEach } from 'vitest'
import type { CliProcess } from '../../src/testing/index.js'

/** The CLI processes and temporary directories of a test file's tests. */
export interface CliSandbox {
  /** Push every process started; each is killed (and awaited) after each test. */
  readonly children: CliProcess[]
  /** A fresh temporary directory `<tmp>/<prefix>…`, removed after the test. */
  tempDir(prefix: string): string
}

/** Registers an `afterEach` that kills the test's CLI processes and removes its directories. Call at describe level. */
export function useCliSandbox(): CliSandbox {
  const children: CliProcess[] = []
  const dirs: string[] = []
  afterEach(async () => {
    for (const c of children) c.kill()
    await Promise.all(children.splice(0).map((c) => c.exited))
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  return {
    children,
    tempDir: (prefix) => {
      const dir = mkdtempSync(joinPath(tmpdir(), prefix))
      dirs.push(dir)
      return dir
    }
  }
}
