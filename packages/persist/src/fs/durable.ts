import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'

/** The contents of `path`, or undefined if it does not exist; any other error is thrown. */
export function readFileIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Writes all of `bytes` at `position`, looping over short writes. */
export function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done)
}

/**
 * Makes a rename or a new file in `dir` durable. POSIX needs an fsync of the directory for that;
 * Windows cannot open a directory for it and journals renames anyway, so it is skipped there.
 */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Replaces `path` with `bytes` atomically: written to `path.tmp`, flushed, renamed over `path`,
 * and the directory flushed. After a crash `path` holds either the old or the new contents.
 */
export function replaceFileDurably(dir: string, path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeAll(fd, bytes, 0)
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw error
  }
  closeSync(fd)
  renameSync(tmp, path)
  fsyncDir(dir)
}
