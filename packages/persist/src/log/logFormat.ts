import { crc32 } from 'node:zlib'

/**
 * The on-disk format of a doc log, as pure functions over bytes (no I/O).
 *
 * ```
 * file   := header record*
 * header := "SSHL" version:u8 0:u8 0:u8 0:u8               (8 bytes)
 * record := length:u32le crc:u32le payload[length]           (a Yjs update, v1 encoding)
 * crc    := CRC-32 of the 4 length bytes followed by the payload
 * ```
 *
 * A record is written with one positional write. A crash can leave a record cut short (torn) or,
 * on some file systems after a power loss, a tail of zeros or stale bytes (corrupt): the scan keeps
 * every record before the first one that is incomplete or fails its checksum and reports where
 * the good part ends.
 */

/** The format version written and understood. */
export const LOG_VERSION = 1
/** Bytes of the file header. */
export const HEADER_BYTES = 8
/** Bytes of a record's length and checksum fields. */
export const RECORD_OVERHEAD = 8
const MAGIC = [0x53, 0x53, 0x48, 0x4c] as const // "SSHL"

/** The 8-byte file header of the current version. */
export function encodeHeader(): Uint8Array {
  return Uint8Array.of(...MAGIC, LOG_VERSION, 0, 0, 0)
}

/** What {@link checkHeader} found. */
export type HeaderCheck =
  | { readonly kind: 'ok' }
  /** Shorter than a header and a prefix of one: a crash right after the file was created. */
  | { readonly kind: 'empty' }
  | { readonly kind: 'foreign' }
  | { readonly kind: 'version'; readonly version: number }

/** Checks the header at the start of `file`. */
export function checkHeader(file: Uint8Array): HeaderCheck {
  const expected = encodeHeader()
  const n = Math.min(file.length, 4)
  for (let i = 0; i < n; i++) if (file[i] !== expected[i]) return { kind: 'foreign' }
  if (file.length < HEADER_BYTES) return { kind: 'empty' }
  const version = file[4]!
  return version === LOG_VERSION ? { kind: 'ok' } : { kind: 'version', version }
}

/** One record (length, checksum, payload) ready to append. */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_OVERHEAD + payload.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, payload.length, true)
  out.set(payload, RECORD_OVERHEAD)
  view.setUint32(4, crc32(payload, crc32(out.subarray(0, 4))), true)
  return out
}

/** How a log's record sequence ends. */
export type LogTail = 'clean' | 'torn' | 'corrupt'

/** The result of {@link scanRecords}. */
export interface LogScan {
  /** Payloads of the intact records, in order (views into the scanned bytes). */
  readonly records: Uint8Array[]
  /** Offset just past the last intact record: the length to truncate the file to. */
  readonly end: number
  /** `clean`: nothing follows; `torn`: a record is cut short; `corrupt`: a checksum fails. */
  readonly tail: LogTail
}

/** Reads the records of a whole log file whose header {@link checkHeader} accepted. */
export function scanRecords(file: Uint8Array): LogScan {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const records: Uint8Array[] = []
  let at = HEADER_BYTES
  while (at < file.length) {
    if (file.length - at < RECORD_OVERHEAD) return { records, end: at, tail: 'torn' }
    const length = view.getUint32(at, true)
    const crc = view.getUint32(at + 4, true)
    const start = at + RECORD_OVERHEAD
    if (file.length - start < length) return { records, end: at, tail: 'torn' }
    const payload = file.subarray(start, start + length)
    if (crc32(payload, crc32(file.subarray(at, at + 4))) !== crc) return { records, end: at, tail: 'corrupt' }
    records.push(payload)
    at = start + length
  }
  return { records, end: at, tail: 'clean' }
}
