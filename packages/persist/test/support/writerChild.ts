/**
 * Child process of the SIGKILL test: opens the log in `dir` and writes updates as fast as it can,
 * printing `ack <i>` on stdout after update `i`'s event returned (that is, after the log appended
 * it). It never stops by itself; the test kills it.
 *
 * Usage: node --import tsx writerChild.ts <dir> <first index> <fsync 0|1> <compactRecords>
 */
import { writeSync } from 'node:fs'
import { openDocLog } from '../../src/index.js'

const [dir, first, fsync, compactRecords] = process.argv.slice(2)
if (dir === undefined || first === undefined) throw new TypeError('usage: writerChild <dir> <first index> <fsync 0|1> <compactRecords>')

/** Writes a whole line to stdout synchronously, so a printed ack never waits in a buffer. */
function print(line: string): void {
  const bytes = new TextEncoder().encode(`${line}\n`)
  let done = 0
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
    }
  }
}

const log = openDocLog(dir, { fsync: fsync === '1', compactRecords: Number(compactRecords ?? 10_000) })
print(`open ${log.peerId} ${log.stats.replayed} ${log.stats.recoveredTail}`)
const map = log.doc.getMap<string>('m')
for (let i = Number(first); ; i++) {
  // Sizes up to ~12 KB, so a write spans pages and a kill can land inside one.
  map.set(`k${i}`, 'x'.repeat((i * 7919) % 12_000))
  print(`ack ${i}`)
}
