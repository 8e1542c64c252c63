import { describe, expect, it } from 'vitest'
import { checkHeader, encodeHeader, encodeRecord, HEADER_BYTES, scanRecords } from '../src/index.js'

const bytes = (...n: number[]): Uint8Array => Uint8Array.from(n)
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

describe('record checksum', () => {
  it('is the CRC-32 (zlib) of the length bytes then the payload, as logs written by earlier versions have it', () => {
    // Bytes of a record of "123456789" as the hand-written CRC-32 of 0.1.0 wrote them: a log
    // from before the switch to zlib.crc32 must still read.
    const record = encodeRecord(new TextEncoder().encode('123456789'))
    expect(Array.from(record.subarray(0, 8))).toEqual([0x09, 0, 0, 0, 0xe2, 0x61, 0x1c, 0xa5])
    const flipped = concat(encodeHeader(), record)
    flipped[HEADER_BYTES + 4] = flipped[HEADER_BYTES + 4]! ^ 1
    expect(scanRecords(flipped).tail).toBe('corrupt')
  })
})

describe('log format', () => {
  const file = concat(encodeHeader(), encodeRecord(bytes(1, 2, 3)), encodeRecord(bytes(4)), encodeRecord(bytes(5, 6)))

  it('reads back every record of a clean log', () => {
    expect(checkHeader(file)).toEqual({ kind: 'ok' })
    const scan = scanRecords(file)
    expect(scan.tail).toBe('clean')
    expect(scan.end).toBe(file.length)
    expect(scan.records.map((r) => [...r])).toEqual([[1, 2, 3], [4], [5, 6]])
  })

  it('stops at a record cut short, at every cut point', () => {
    const lastStart = file.length - (8 + 2)
    for (let cut = lastStart + 1; cut < file.length; cut++) {
      const scan = scanRecords(file.subarray(0, cut))
      expect(scan).toMatchObject({ tail: 'torn', end: lastStart })
      expect(scan.records).toHaveLength(2)
    }
  })

  it('stops at a flipped bit in the payload or in the length', () => {
    for (const at of [file.length - 1, file.length - 10]) {
      const bad = file.slice()
      bad[at]! ^= 0x01
      const scan = scanRecords(bad)
      expect(scan.records).toHaveLength(2)
      expect(scan.end).toBe(file.length - 10)
      expect(scan.tail === 'corrupt' || scan.tail === 'torn').toBe(true)
    }
  })

  it('treats a tail of zeros (a file system that grew the file but lost the data) as corrupt', () => {
    const scan = scanRecords(concat(file, new Uint8Array(64)))
    expect(scan).toMatchObject({ tail: 'corrupt', end: file.length })
  })

  it('tells a missing, a foreign and a newer header apart', () => {
    expect(checkHeader(new Uint8Array(0))).toEqual({ kind: 'empty' })
    expect(checkHeader(encodeHeader().subarray(0, 5))).toEqual({ kind: 'empty' })
    expect(checkHeader(new TextEncoder().encode('{"json": true}'))).toEqual({ kind: 'foreign' })
    const newer = encodeHeader()
    newer[4] = 9
    expect(checkHeader(newer)).toEqual({ kind: 'version', version: 9 })
    expect(HEADER_BYTES).toBe(8)
  })
})
