import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import * as buffer from 'lib0/buffer'
import { describe, expect, it } from 'vitest'
import { deriveRoomKey, looksSealed, MessageSealer, openBytes, openJson, sealBytes, sealJson, WebrtcError, WebrtcErrorCode } from '../src/index.js'

/** y-webrtc's own crypto helpers (not exported by the package: loaded from its source file). */
interface YWebrtcCrypto {
  deriveKey(secret: string, room: string): Promise<CryptoKey>
  encryptJson(data: unknown, key: CryptoKey): Promise<Uint8Array>
  decryptJson(data: Uint8Array, key: CryptoKey): Promise<unknown>
}
const require = createRequire(import.meta.url)
const yCryptoUrl = pathToFileURL(require.resolve('y-webrtc').replace(/dist[/\\]y-webrtc\.cjs$/, 'src/crypto.js')).href
const yCrypto = (): Promise<YWebrtcCrypto> => import(yCryptoUrl) as Promise<YWebrtcCrypto>

const ROOM = 'crypto-room'
const signal = { type: 'signal', from: 'peer-a', to: 'peer-b', token: 1712345678.25, signal: { type: 'offer', sdp: 'v=0\r\n', n: null } }

describe('room password, compatible with y-webrtc 10', () => {
  it('y-webrtc opens what we seal, and we open what y-webrtc seals (same password and room)', async () => {
    const y = await yCrypto()
    const [ours, theirs] = await Promise.all([deriveRoomKey('s3cret', ROOM), y.deriveKey('s3cret', ROOM)])
    const sealed = await sealJson(signal, ours)
    expect(typeof sealed).toBe('string')
    expect(await y.decryptJson(buffer.fromBase64(sealed), theirs)).toEqual(signal)
    const fromThem = buffer.toBase64(await y.encryptJson({ type: 'announce', from: 'y-peer' }, theirs))
    expect(await openJson(fromThem, ours)).toEqual({ ok: true, value: { type: 'announce', from: 'y-peer' } })
  })

  it('refuses, with a typed bad-password error and never a throw: another password, another room, plain data, junk', async () => {
    const key = await deriveRoomKey('s3cret', ROOM)
    const others = [await deriveRoomKey('other', ROOM), await deriveRoomKey('s3cret', 'another-room')]
    const sealed = await sealJson(signal, key)
    for (const other of others) {
      const opened = await openJson(sealed, other)
      expect(opened.ok).toBe(false)
      expect(!opened.ok && opened.error).toBeInstanceOf(WebrtcError)
      expect(!opened.ok && opened.error.code).toBe(WebrtcErrorCode.BadPassword)
    }
    const tampered = buffer.fromBase64(sealed)
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1
    for (const junk of [signal, buffer.toBase64(tampered), '', 'not base64 !!', 42, null]) {
      const opened = await openJson(junk, key)
      expect(opened.ok ? 'opened' : opened.error.code, JSON.stringify(junk)).toBe(WebrtcErrorCode.BadPassword)
    }
    const bytes = await sealBytes(Uint8Array.of(1, 2, 3), key)
    expect(looksSealed(bytes)).toBe(true)
    expect(looksSealed(Uint8Array.of(1, 0, 1, 97))).toBe(false)
    expect(await openBytes(bytes, key)).toEqual({ ok: true, value: Uint8Array.of(1, 2, 3) })
    expect((await openBytes(bytes.subarray(0, 10), key)).ok).toBe(false)
  })

  it('MessageSealer keeps order both ways, reports what does not open and goes on', async () => {
    const errors: Error[] = []
    const options = { room: ROOM, seal: sealJson, open: openJson, onError: (e: Error) => errors.push(e) }
    const a = new MessageSealer<unknown, string>({ ...options, password: 'pw' })
    const b = new MessageSealer<unknown, string>({ ...options, password: 'pw' })
    const stranger = new MessageSealer<unknown, string>({ ...options, password: 'not pw' })
    const wire: unknown[] = []
    for (let i = 0; i < 40; i++) a.send({ i }, (w) => wire.push(w))
    stranger.send({ i: -1 }, (w) => wire.splice(20, 0, w))
    await a.idle()
    await stranger.idle()
    expect(wire).toHaveLength(41)
    expect(wire.every((w) => typeof w === 'string')).toBe(true)
    const got: unknown[] = []
    for (const w of wire) b.receive(w, (m) => got.push(m))
    await b.idle()
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => ({ i })))
    expect(errors.map((e) => (e as WebrtcError).code)).toEqual([WebrtcErrorCode.BadPassword])
    const plain = new MessageSealer<unknown, string>({ ...options, password: undefined })
    const direct: unknown[] = []
    plain.send({ x: 1 }, (w) => direct.push(w))
    plain.receive({ y: 2 }, (m) => direct.push(m))
    expect(direct).toEqual([{ x: 1 }, { y: 2 }])
  })
})
