import { closeSync, fsyncSync, openSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { PersistError, PersistErrorCode } from '../errors/PersistError.js'
import { writeAll } from '../fs/durable.js'

/** Name of the lock file inside a data directory. */
export const LOCK_FILE = 'lock'

/** What a lock file says about its holder. */
export interface LockHolder {
  readonly pid: number
  /** The holder's start time from `/proc/<pid>/stat` (Linux), so a reused pid is not mistaken for it. */
  readonly start: string | undefined
}

/** How often a stale lock is cleared and taken again before giving up (another process races us). */
const ATTEMPTS = 3

/**
 * The lock that makes one process the only writer of a data directory: `dir/lock` created with
 * O_EXCL, holding the owner's pid (and its start time on Linux). A second process gets a
 * {@link PersistError} `locked` naming the holder's pid; a lock whose process is gone (SIGKILL,
 * power loss) or whose pid now belongs to another process is stale and taken over.
 *
 * Limits: two processes taking over the same stale lock in the same instant can both succeed
 * (each re-reads the file afterwards, which catches most of that race); a data directory on a
 * network file system shared by two machines is not protected (pids are per machine).
 */
export class DataDirLock {
  private released = false

  private constructor(readonly path: string, readonly holder: LockHolder) {}

  /** Takes the lock of `dir` for this process, or throws {@link PersistError} `locked`. */
  static acquire(dir: string): DataDirLock {
    const path = join(dir, LOCK_FILE)
    const self: LockHolder = { pid: process.pid, start: processStartTime(process.pid) }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let fd: number
      try {
        fd = openSync(path, 'wx')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(path, `cannot create ${path}: ${String(error)}`, error)
        const holder = readHolder(path)
        if (holder !== undefined && isAlive(holder)) {
          throw lockError(path, `the data directory ${dir} is in use by process ${holder.pid} (lock file ${path}); ` +
            'stop that process or use another data directory')
        }
        // Stale: its process is gone (or the file is unreadable). Clear it and try again.
        rmSync(path, { force: true })
        continue
      }
      try {
        writeAll(fd, new TextEncoder().encode(`${JSON.stringify(self)}\n`), 0)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      const check = readHolder(path)
      if (check?.pid === self.pid && check.start === self.start) return new DataDirLock(path, self)
    }
    throw lockError(path, `could not take the lock ${path}: other processes keep taking it`)
  }

  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    const now = readHolder(this.path)
    if (now?.pid === this.holder.pid && now.start === this.holder.start) rmSync(this.path, { force: true })
  }
}

function lockError(path: string, message: string, cause?: unknown): PersistError {
  return new PersistError(PersistErrorCode.Locked, message, cause === undefined ? undefined : { cause })
}

/** The holder named in the lock file at `path`, or undefined if it is missing or unreadable (a torn write). */
export function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; start?: unknown }
    if (typeof parsed.pid !== 'number' || !Number.isSafeInteger(parsed.pid) || parsed.pid <= 0) return undefined
    return { pid: parsed.pid, start: typeof parsed.start === 'string' ? parsed.start : undefined }
  } catch {
    return undefined
  }
}

/** True if the holder's process still runs (and, where start times are known, is the same process). */
function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const start = processStartTime(holder.pid)
  return holder.start === undefined || start === undefined || start === holder.start
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), where there is a /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}
