import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@sship/core/internals'
import { afterEach, describe, expect, it } from 'vitest'
import { LOCK_FILE, openDocLog, PersistError, readHolder } from '../src/index.js'

/** The data directory lock, in one process (the two-process case runs in packages/lan/test/cli.persist.test.ts). */
describe('data directory lock', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  const fresh = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sship-lock-'))
    dirs.push(d)
    return d
  }
  const open = (dir: string): ReturnType<typeof openDocLog> => openDocLog(dir, { random: seededRandom(7), fsync: false })

  it('refuses a second open while the first holds it, naming the holder, and frees it on close', () => {
    const dir = fresh()
    const first = open(dir)
    expect(readHolder(join(dir, LOCK_FILE))?.pid).toBe(process.pid)
    let error: unknown
    try {
      open(dir)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PersistError)
    expect((error as PersistError).code).toBe('locked')
    expect((error as PersistError).message).toMatch(new RegExp(`in use by process ${process.pid} `))
    first.doc.getMap('m').set('k', 1)
    first.close()
    const second = open(dir)
    expect(second.doc.getMap('m').get('k')).toBe(1)
    second.close()
  })

  it('takes over a lock left by a dead process, a torn lock file, and a pid now used by another process', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number
    expect(dead).toBeGreaterThan(0)
    for (const content of [JSON.stringify({ pid: dead }), '{"pid":', JSON.stringify({ pid: process.pid, start: 'not-our-start-time' })]) {
      const dir = fresh()
      writeFileSync(join(dir, LOCK_FILE), content)
      const log = open(dir)
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid })
      log.close()
    }
  })
})
