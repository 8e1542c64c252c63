import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import { FrameError, FrameErrorCode } from '../src/errors/errors.js'
import { DEFAULT_MAX_FRAME_BYTES, decodeEnvelope, decodeWith, encodeEnvelope, type DecodeResult } from '../src/protocol/envelope.js'
import { MessageType, PROTOCOL_VERSION } from '../src/protocol/MessageType.js'

const types = Object.values(MessageType)
const maxType = Math.max(...types)

function expectError<T>(result: DecodeResult<T>, code: FrameErrorCode): FrameError {
  if (result.ok) throw new Error(`expected a ${code} error, got ${JSON.stringify(result.value)}`)
  expect(result.error).toBeInstanceOf(FrameError)
  expect(result.error.code).toBe(code)
  return result.error
}

describe('envelope round trips', () => {
  it.each(types)('type %i with empty, short and long payloads', (type) => {
    for (const length of [0, 1, 127, 128, 70_000]) {
      const payload = Uint8Array.from({ length }, (_, i) => (i * 31 + type) & 0xff)
      const frame = encodeEnvelope(type, payload)
      const decoded = decodeEnvelope(frame)
      if (!decoded.ok) throw decoded.error
      expect(decoded.value.type).toBe(type)
      expect([...decoded.value.payload]).toEqual([...payload])
      expect(frame.byteLength).toBe(2 + length)
    }
  })

  it('writes the version first and the type second, one byte each', () => {
    expect([...encodeEnvelope(MessageType.Digest, Uint8Array.of(7, 8))]).toEqual([PROTOCOL_VERSION, MessageType.Digest, 7, 8])
  })

  it('returns the payload as a view into the frame, not a copy', () => {
    const frame = encodeEnvelope(MessageType.Sync, Uint8Array.of(1, 2, 3))
    const decoded = decodeEnvelope(frame)
    if (!decoded.ok) throw decoded.error
    expect(decoded.value.payload.buffer).toBe(frame.buffer)
    expect(decoded.value.payload.byteOffset).toBe(frame.byteOffset + 2)
  })

  it('accepts a frame of exactly maxFrameBytes', () => {
    const frame = encodeEnvelope(MessageType.Sync, new Uint8Array(98))
    expect(decodeEnvelope(frame, 100).ok).toBe(true)
  })

  it('uses a 16 MiB limit by default', () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(16 * 1024 * 1024)
    expectError(decodeEnvelope(new Uint8Array(DEFAULT_MAX_FRAME_BYTES + 1)), FrameErrorCode.Oversized)
  })
})

describe('envelope errors, one code each', () => {
  it('oversized: one byte over maxFrameBytes, checked before anything is read', () => {
    const frame = encodeEnvelope(MessageType.Sync, new Uint8Array(99))
    expect(expectError(decodeEnvelope(frame, 100), FrameErrorCode.Oversized).message).toMatch(/101 bytes/)
    // Even a frame with a bad header is refused by size first.
    expectError(decodeEnvelope(new Uint8Array(101).fill(0xff), 100), FrameErrorCode.Oversized)
  })

  it('truncated: shorter than the two header bytes', () => {
    expectError(decodeEnvelope(new Uint8Array(0)), FrameErrorCode.Truncated)
    expectError(decodeEnvelope(Uint8Array.of(PROTOCOL_VERSION)), FrameErrorCode.Truncated)
  })

  it('truncated: the header ends inside a multi-byte varuint', () => {
    expectError(decodeEnvelope(Uint8Array.of(0x80, 0x80)), FrameErrorCode.Truncated)
    expectError(decodeEnvelope(Uint8Array.of(PROTOCOL_VERSION, 0x80)), FrameErrorCode.Truncated)
    expectError(decodeEnvelope(Uint8Array.of(PROTOCOL_VERSION, 0xff, 0xff)), FrameErrorCode.Truncated)
  })

  it('bad-version: any version but the current one, also multi-byte ones', () => {
    for (const version of [0, PROTOCOL_VERSION + 1, 127, 128, 300]) {
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, version)
      encoding.writeVarUint(e, MessageType.Sync)
      encoding.writeUint8(e, 0)
      expectError(decodeEnvelope(encoding.toUint8Array(e)), FrameErrorCode.BadVersion)
    }
  })

  it('unknown-type: the first number after the known types, and far beyond', () => {
    for (const type of [maxType + 1, 127, 128, 2 ** 20]) {
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, PROTOCOL_VERSION)
      encoding.writeVarUint(e, type)
      expect(expectError(decodeEnvelope(encoding.toUint8Array(e)), FrameErrorCode.UnknownType).message).toContain(String(type))
    }
  })

  it('accepts exactly the known types of the current version among all frames of up to two bytes', () => {
    const wrong: string[] = []
    for (let a = 0; a < 256; a++) {
      if (decodeEnvelope(Uint8Array.of(a)).ok) wrong.push(`${a}`)
      for (let b = 0; b < 256; b++) {
        const accepted = decodeEnvelope(Uint8Array.of(a, b)).ok
        if (accepted !== (a === PROTOCOL_VERSION && types.some((t) => t === b))) wrong.push(`${a},${b}`)
      }
    }
    expect(wrong).toEqual([])
  })
})

describe('decodeWith (the payload reader under every coordinator message)', () => {
  const readTwo = (d: decoding.Decoder): [number, number] => [decoding.readVarUint(d), decoding.readVarUint(d)]

  it('returns the value read when the payload is used up exactly', () => {
    expect(decodeWith(Uint8Array.of(5, 6), readTwo)).toEqual({ ok: true, value: [5, 6] })
  })

  it('malformed: trailing bytes after the value', () => {
    expectError(decodeWith(Uint8Array.of(5, 6, 7), readTwo), FrameErrorCode.Malformed)
  })

  it('truncated: the payload ends inside the value', () => {
    expectError(decodeWith(Uint8Array.of(5), readTwo), FrameErrorCode.Truncated)
    expectError(decodeWith(Uint8Array.of(5, 0x80), readTwo), FrameErrorCode.Truncated)
  })

  it('truncated: a fixed-width read past the end of a view into a larger buffer', () => {
    const backing = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)
    expectError(decodeWith(backing.subarray(0, 2), (d) => decoding.readUint32(d)), FrameErrorCode.Truncated)
  })

  it('malformed: the reader throws something else, with the cause kept', () => {
    const cause = new TypeError('not a peer id')
    const error = expectError(decodeWith(Uint8Array.of(1), () => {
      throw cause
    }), FrameErrorCode.Malformed)
    expect(error.cause).toBe(cause)
  })
})
