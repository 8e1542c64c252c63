import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { afterEach, expect } from 'vitest'
import type { CliProcess } from '../../src/testing/index.js'

/** The CLI processes and temporary directories of a test file's tests. */
export interface CliSandbox {
  /** Push every process started; each is killed (and awaited) after each test. */
  readonly children: CliProcess[]
  /** A fresh temporary directory `<tmp>/<prefix>…`, removed after the test. */
  tempDir(prefix: string): string
}

/**
 * Registers an `afterEach` that kills the test's CLI processes and removes its directories. Call at describe level.
 * With `SSHIP_TEST_RECORDS=<dir>` it first writes every child's records (with their arrival
 * times) and stderr to `<dir>/<test name>-<time>.json`: the whole history of a failure that only
 * a loaded machine shows, where the failure message holds only each child's last status.
 */
export function useCliSandbox(): CliSandbox {
  const children: CliProcess[] = []
  const dirs: string[] = []
  afterEach(async () => {
    for (const c of children) c.kill()
    const dump = process.env.SSHIP_TEST_RECORDS
    if (dump !== undefined && children.length > 0) {
      const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '_').slice(0, 60)
      writeFileSync(joinPath(dump, `${name}-${Date.now()}.json`), JSON.stringify(children.map((c) => ({ label: c.label, records: c.records, stderr: c.stderr }))))
    }
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
