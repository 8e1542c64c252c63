import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Temporary directories for one test file: `make()` one, `cleanup()` them all (in `afterEach`). */
export function tempDirs(): { make(): string; cleanup(): void } {
  const made: string[] = []
  return {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'sship-persist-'))
      made.push(dir)
      return dir
    },
    cleanup: () => {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
    }
  }
}
