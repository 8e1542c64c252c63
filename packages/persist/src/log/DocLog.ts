import { closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { PeerId, Random } from '@sship/core'
import { cryptoRandom } from '@sship/core/internals'
import * as Y from 'yjs'
import { PersistError, PersistErrorCode } from '../errors/PersistError.js'
import { readFileIfExists, replaceFileDurably, writeAll } from '../fs/durable.js'
import { DataDirLock } from '../lock/DataDirLock.js'
import { loadOrCreatePeerId } from '../identity/peerIdFile.js'
import { checkHeader, encodeHeader, encodeRecord, HEADER_BYTES, scanRecords, type LogTail } from './logFormat.js'

/** Name of the log file inside a data directory. */
export const LOG_FILE = 'doc.log'

/** Options of {@link openDocLog}. */
export interface DocLogOptions {
  /**
   * Flush every appended update to stable storage (`fdatasync`) before the update event returns.
   * Default true. With false an update is in the OS page cache when the event returns: it survives
   * the process being killed, but not a power loss or kernel crash. Compactions and `close` always flush.
   */
  readonly fsync?: boolean
  /** Compact once the log holds this many records. Default 10 000. */
  readonly compactRecords?: number
  /**
   * Compact once the log exceeds this many bytes, or twice its size after the last compaction,
   * whichever is larger (so a big document does not compact on every update). Default 16 MiB.
   */
  readonly compactBytes?: number
  /** The peer GUID to persist when the directory has none yet (e.g. the CLI's `--id`); must match one already there. */
  readonly peerId?: string
  /** Randomness for a new peer GUID and the document's client id. Default WebCrypto. */
  readonly random?: Random
  /** Hears write failures while the document runs (the update stays in memory; the next write compacts). */
  readonly onError?: (error: PersistError) => void
}

/** Counters of a {@link DocLog}. */
export interface DocLogStats {
  /** Records in the log file now (1 right after a compaction). */
  readonly records: number
  /** Bytes of the log file now. */
  readonly bytes: number
  /** Records replayed when the log was opened. */
  readonly replayed: number
  /** How the log ended when it was opened; anything but `clean` was cut off. */
  readonly recoveredTail: LogTail
  /** Bytes cut off the end of the log when it was opened. */
  readonly droppedBytes: number
  /** Updates appended since the log was opened. */
  readonly appends: number
  /** Compactions since the log was opened. */
  readonly compactions: number
  /** Failed writes since the log was opened. */
  readonly errors: number
}

const DEFAULT_COMPACT_RECORDS = 10_000
const DEFAULT_COMPACT_BYTES = 16 * 1024 * 1024

/**
 * Opens (or creates) the data directory `dir` of one Node peer: replays its log into a new
 * `Y.Doc`, cutting off a torn or corrupt tail, and from then on appends every update of that doc
 * synchronously, so an update is on disk when its `update` event returns. Pass `log.doc` and
 * `log.peerId` to the peer: `initServer(app, { transport: …(log.peerId), doc: log.doc })`.
 *
 * Stop the peer before {@link DocLog.close}: updates after `close` are not persisted.
 * Only one process may open a directory at a time: the directory is locked (see
 * {@link DataDirLock}) and a second open throws {@link PersistError} `locked` naming the
 * holder's pid; a lock left by a dead process is taken over. `close` releases it.
 */
export function openDocLog(dir: string, options: DocLogOptions = {}): DocLog {
  mkdirSync(dir, { recursive: true })
  const lock = DataDirLock.acquire(dir)
  try {
    const random = options.random ?? cryptoRandom
    const peerId = loadOrCreatePeerId(dir, random, options.peerId)
    return new DocLog(dir, peerId, random, options, lock)
  } catch (error) {
    lock.release()
    throw error
  }
}

/**
 * A document kept in an append-only log on disk; made by {@link openDocLog}. The document gets a
 * fresh Yjs client id on every open: reusing the old one is unsafe when the last updates before a
 * power loss were sent to other peers but not flushed (`fsync: false`).
 */
export class DocLog {
  /** The restored document, persisted as it changes. */
  readonly doc: Y.Doc
  private readonly path: string
  private readonly fsync: boolean
  private readonly compactRecords: number
  private readonly compactBytes: number
  private fd: number
  private size: number
  private records: number
  private baseBytes: number
  /** A write failed, so the log may miss an update: the next write is a compaction. */
  private dirty = false
  private closed = false
  private readonly opened: { readonly replayed: number; readonly tail: LogTail; readonly dropped: number }
  private appends = 0
  private compactions = 0
  private errors = 0
  private readonly onUpdate = (update: Uint8Array): void => this.append(update)

  /** Use {@link openDocLog}. */
  constructor(
    readonly dir: string, readonly peerId: PeerId, random: Random, private readonly options: DocLogOptions,
    private readonly lock?: DataDirLock
  ) {
    this.path = join(dir, LOG_FILE)
    this.fsync = options.fsync ?? true
    this.compactRecords = options.compactRecords ?? DEFAULT_COMPACT_RECORDS
    this.compactBytes = options.compactBytes ?? DEFAULT_COMPACT_BYTES
    this.doc = new Y.Doc({ gc: true })
    this.doc.clientID = Math.floor(random.next() * 0x1_0000_0000) >>> 0
    // A crash during a compaction leaves its temporary file; the log itself is still whole.
    rmSync(`${this.path}.tmp`, { force: true })

    const file = readLog(this.path)
    const header = checkHeader(file)
    if (header.kind === 'foreign') throw new PersistError(PersistErrorCode.BadHeader, `${this.path} is not an sship doc log; not touching it`)
    if (header.kind === 'version') throw new PersistError(PersistErrorCode.UnsupportedVersion, `${this.path} has format version ${header.version}; this build reads version 1`)
    const scan = header.kind === 'ok' ? scanRecords(file) : { records: [], end: 0, tail: 'clean' as const }
    this.doc.transact(() => {
      for (const update of scan.records) Y.applyUpdate(this.doc, update)
    }, this)
    this.opened = { replayed: scan.records.length, tail: scan.tail, dropped: header.kind === 'ok' ? file.length - scan.end : 0 }

    if (header.kind === 'empty') replaceFileDurably(dir, this.path, encodeHeader())
    this.fd = openSync(this.path, 'r+')
    if (header.kind === 'ok' && scan.end < file.length) {
      ftruncateSync(this.fd, scan.end)
      fdatasyncSync(this.fd)
    }
    this.size = header.kind === 'ok' ? scan.end : HEADER_BYTES
    this.records = scan.records.length
    this.baseBytes = this.size
    if (this.overThreshold()) this.tryWrite(() => this.compact())
    this.doc.on('update', this.onUpdate)
  }

  /** Counters: records and bytes in the log, what the open recovered, appends, compactions, errors. */
  get stats(): DocLogStats {
    return {
      records: this.records, bytes: this.size,
      replayed: this.opened.replayed, recoveredTail: this.opened.tail, droppedBytes: this.opened.dropped,
      appends: this.appends, compactions: this.compactions, errors: this.errors
    }
  }

  /**
   * Rewrites the log as one record holding the whole document state, atomically (new file,
   * flushed, renamed over the old one). Runs by itself past the size thresholds; throws
   * {@link PersistError} `write-failed` when it cannot write, leaving the old log in place.
   */
  compact(): void {
    this.assertOpen()
    const state = Y.encodeStateAsUpdate(this.doc)
    const record = encodeRecord(state)
    const bytes = new Uint8Array(HEADER_BYTES + record.length)
    bytes.set(encodeHeader())
    bytes.set(record, HEADER_BYTES)
    try {
      replaceFileDurably(this.dir, this.path, bytes)
    } catch (cause) {
      throw new PersistError(PersistErrorCode.WriteFailed, `compacting ${this.path} failed: ${String(cause)}`, { cause })
    }
    // The old descriptor points at the replaced file: switch to the new one.
    closeSync(this.fd)
    this.fd = openSync(this.path, 'r+')
    this.size = bytes.length
    this.baseBytes = bytes.length
    this.records = 1
    this.dirty = false
    this.compactions++
  }

  /** Stops persisting, flushes and closes the file, and releases the directory's lock. Stop the peer first. Idempotent. */
  close(): void {
    if (this.closed) return
    this.doc.off('update', this.onUpdate)
    if (this.dirty) this.tryWrite(() => this.compact())
    this.tryWrite(() => fdatasyncSync(this.fd))
    closeSync(this.fd)
    this.closed = true
    this.lock?.release()
  }

  /** Appends one update: called synchronously from the doc's `update` event. */
  private append(update: Uint8Array): void {
    if (this.closed) return
    this.appends++
    if (this.dirty) {
      this.tryWrite(() => this.compact())
      return
    }
    this.tryWrite(() => {
      const record = encodeRecord(update)
      // Positional: a failed, partial write is overwritten by the next one instead of being followed by it.
      writeAll(this.fd, record, this.size)
      if (this.fsync) fdatasyncSync(this.fd)
      this.size += record.length
      this.records++
    })
    if (!this.dirty && this.overThreshold()) this.tryWrite(() => this.compact())
  }

  private overThreshold(): boolean {
    return this.records >= this.compactRecords || this.size >= Math.max(this.compactBytes, 2 * this.baseBytes)
  }

  /** Runs a write; a failure marks the log dirty and goes to `onError` (never into Yjs' event loop). */
  private tryWrite(write: () => void): void {
    try {
      write()
    } catch (cause) {
      this.dirty = true
      this.errors++
      const error = cause instanceof PersistError ? cause : new PersistError(PersistErrorCode.WriteFailed, `writing ${this.path} failed: ${String(cause)}`, { cause })
      try {
        this.options.onError?.(error)
      } catch {
        // A listener's exception must not escape into the document's update event.
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new PersistError(PersistErrorCode.Closed, `the log ${this.path} is closed`)
  }
}

function readLog(path: string): Uint8Array {
  return readFileIfExists(path) ?? new Uint8Array(0)
}

