import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { seededRandom } from '@sship/core/internals'
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { HEADER_BYTES, LOG_FILE, openDocLog, PEER_ID_FILE, PersistErrorCode, scanRecords, type PersistError } from '../src/index.js'
import { contentOf, randomEdits, stateVectorOf } from './support/edits.js'
import { tempDirs } from './support/tempDir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

describe('openDocLog', () => {
  it('round-trips: reopening gives the same content and state vector', () => {
    const dir = dirs.make()
    const log = openDocLog(dir, { random: seededRandom(1) })
    randomEdits(log.doc, seededRandom(2), 300)
    // Deleting a missing key makes no update, so a few edits append nothing.
    expect(log.stats.appends).toBeGreaterThan(250)
    expect(log.stats).toMatchObject({ records: log.stats.appends, replayed: 0, recoveredTail: 'clean', errors: 0 })
    const appended = log.stats.appends
    const content = contentOf(log.doc)
    const sv = stateVectorOf(log.doc)
    log.close()

    const again = openDocLog(dir, { random: seededRandom(3) })
    expect(contentOf(again.doc)).toEqual(content)
    expect(stateVectorOf(again.doc)).toEqual(sv)
    expect(again.stats).toMatchObject({ replayed: appended, recoveredTail: 'clean', droppedBytes: 0 })
    expect(again.peerId).toBe(log.peerId)
    // A fresh client id: the old one's clock may have gone further on other peers than on disk.
    expect(again.doc.clientID).not.toBe(log.doc.clientID)
    again.close()
  })

  it('persists remote updates too, and keeps appending after a reopen', () => {
    const dir = dirs.make()
    const remote = new Y.Doc()
    remote.getMap('m').set('from', 'remote')
    const log = openDocLog(dir, { fsync: false })
    Y.applyUpdate(log.doc, Y.encodeStateAsUpdate(remote), 'network')
    log.close()
    const second = openDocLog(dir, { fsync: false })
    second.doc.getMap('m').set('local', 1)
    second.close()
    const third = openDocLog(dir)
    expect(third.doc.getMap('m').toJSON()).toEqual({ from: 'remote', local: 1 })
    third.close()
  })

  it('cuts a torn tail (a write cut short by a kill) and keeps every complete record', () => {
    const dir = dirs.make()
    const log = openDocLog(dir, { fsync: false })
    const map = log.doc.getMap<number>('m')
    for (let i = 0; i < 10; i++) map.set(`k${i}`, i)
    log.close()
    const path = join(dir, LOG_FILE)
    const full = statSync(path).size
    truncateSync(path, full - 3)

    const again = openDocLog(dir)
    expect(again.doc.getMap('m').toJSON()).toEqual(Object.fromEntries([...Array(9).keys()].map((i) => [`k${i}`, i])))
    expect(again.stats).toMatchObject({ replayed: 9, recoveredTail: 'torn' })
    const lastRecord = again.stats.droppedBytes + 3
    expect(statSync(path).size).toBe(full - lastRecord)
    // Appends continue from the cut, so the file is whole again.
    again.doc.getMap('m').set('after', 1)
    again.close()
    const scan = scanRecords(readFileSync(path))
    expect(scan.tail).toBe('clean')
    expect(scan.records).toHaveLength(10)
  })

  it('cuts appended garbage and a corrupt last record', () => {
    const dir = dirs.make()
    const log = openDocLog(dir, { fsync: false })
    for (let i = 0; i < 5; i++) log.doc.getArray<number>('a').push([i])
    log.close()
    const path = join(dir, LOG_FILE)
    const clean = statSync(path).size
    appendFileSync(path, Uint8Array.from([3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]))
    const garbage = openDocLog(dir)
    expect(garbage.stats).toMatchObject({ replayed: 5, recoveredTail: 'corrupt', droppedBytes: 11 })
    expect(garbage.doc.getArray('a').toJSON()).toEqual([0, 1, 2, 3, 4])
    garbage.close()
    expect(statSync(path).size).toBe(clean)

    const bytes = readFileSync(path)
    bytes[bytes.length - 1]! ^= 0xff
    writeFileSync(path, bytes)
    const corrupt = openDocLog(dir)
    expect(corrupt.stats).toMatchObject({ replayed: 4, recoveredTail: 'corrupt' })
    expect(corrupt.doc.getArray('a').toJSON()).toEqual([0, 1, 2, 3])
    corrupt.close()
  })

  it('compacts past the record threshold without losing content', () => {
    const dir = dirs.make()
    const log = openDocLog(dir, { fsync: false, compactRecords: 50 })
    randomEdits(log.doc, seededRandom(7), 420)
    // The first compaction at the 50th record leaves 1, so every 49 appends after that.
    const { appends } = log.stats
    expect(log.stats.compactions).toBe(1 + Math.floor((appends - 50) / 49))
    expect(log.stats.records).toBeLessThan(50)
    const content = contentOf(log.doc)
    const sv = stateVectorOf(log.doc)
    log.compact()
    expect(log.stats.records).toBe(1)
    log.close()
    const again = openDocLog(dir, { compactRecords: 50 })
    expect(again.stats.replayed).toBe(1)
    expect(contentOf(again.doc)).toEqual(content)
    expect(stateVectorOf(again.doc)).toEqual(sv)
    again.close()
  })

  it('compacts past the byte threshold, relative to the last compaction', () => {
    const dir = dirs.make()
    const log = openDocLog(dir, { fsync: false, compactBytes: 4096 })
    const text = log.doc.getText('t')
    for (let i = 0; i < 200; i++) text.insert(0, 'x'.repeat(100))
    expect(log.stats.compactions).toBeGreaterThan(0)
    // The document is ~20 KB; the log may reach twice that, never compacting on every update.
    expect(log.stats.compactions).toBeLessThan(20)
    expect(log.stats.bytes).toBeLessThan(2 * 20_000 + 4096 + 1000)
    log.close()
    const again = openDocLog(dir)
    expect(again.doc.getText('t').length).toBe(20_000)
    again.close()
  })

  it('creates the peer GUID once and keeps it', () => {
    const dir = dirs.make()
    const first = openDocLog(dir, { random: seededRandom(11) })
    expect(first.peerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    first.close()
    const second = openDocLog(dir, { random: seededRandom(12) })
    expect(second.peerId).toBe(first.peerId)
    second.close()
    expect(readFileSync(join(dir, PEER_ID_FILE), 'utf8')).toBe(`${first.peerId}\n`)
    expect(() => openDocLog(dir, { peerId: 'someone-else' })).toThrow(expect.objectContaining({ code: PersistErrorCode.PeerIdMismatch }))
    const given = openDocLog(dirs.make(), { peerId: 'alice' })
    expect(given.peerId).toBe('alice')
    given.close()
  })

  it('refuses a file that is not a doc log, and recovers a log cut inside its header', () => {
    const dir = dirs.make()
    writeFileSync(join(dir, LOG_FILE), '{"not": "a log"}')
    expect(() => openDocLog(dir)).toThrow(expect.objectContaining({ code: PersistErrorCode.BadHeader }))
    expect(readFileSync(join(dir, LOG_FILE), 'utf8')).toBe('{"not": "a log"}')

    writeFileSync(join(dir, LOG_FILE), Uint8Array.from([0x53, 0x53, 0x48]))
    const log = openDocLog(dir)
    expect(statSync(join(dir, LOG_FILE)).size).toBe(HEADER_BYTES)
    log.doc.getMap('m').set('x', 1)
    log.close()
    const again = openDocLog(dir)
    expect(again.doc.getMap('m').toJSON()).toEqual({ x: 1 })
    again.close()
  })

  it('reports a failed write to onError, keeps the update in memory and heals with a compaction', () => {
    const dir = dirs.make()
    const errors: PersistError[] = []
    const log = openDocLog(dir, { fsync: false, onError: (e) => errors.push(e) })
    log.doc.getMap('m').set('a', 1)
    // Break the descriptor behind the log's back, as a failing disk would.
    const internals = log as unknown as { fd: number }
    const good = internals.fd
    internals.fd = 1_000_000
    log.doc.getMap('m').set('b', 2)
    expect(errors.map((e) => e.code)).toEqual([PersistErrorCode.WriteFailed])
    expect(log.stats.errors).toBe(1)
    internals.fd = good
    // The next update finds the log dirty and rewrites it whole, 'b' included.
    log.doc.getMap('m').set('c', 3)
    expect(log.stats.compactions).toBe(1)
    log.close()
    const again = openDocLog(dir)
    expect(again.doc.getMap('m').toJSON()).toEqual({ a: 1, b: 2, c: 3 })
    again.close()
  })

  it('ignores updates after close, and compact() on a closed log throws', () => {
    const dir = dirs.make()
    const log = openDocLog(dir, { fsync: false })
    log.close()
    log.close()
    log.doc.getMap('m').set('late', 1)
    expect(() => log.compact()).toThrow(expect.objectContaining({ code: PersistErrorCode.Closed }))
    const again = openDocLog(dir)
    expect(again.doc.getMap('m').toJSON()).toEqual({})
    again.close()
  })
})
