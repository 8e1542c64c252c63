import { FrameErrorCode } from '@sship/core'
import { describe, expect, it } from 'vitest'
import {
  candidateAddress, decodeLinkMessage, encodeBye, encodeFrame, encodeHello, filterSignal, FrameAssembler,
  LinkMessageType, loopbackOnly, parseRoomMessage, parseSignalingMessage
} from '../src/index.js'
import { TopicTable } from '../src/server/index.js'
import { EarlySignals } from '../src/transport/EarlySignals.js'
import { asPeerId } from '@sship/core'

const decodeAll = (messages: Uint8Array[]) => messages.map((m) => {
  const r = decodeLinkMessage(m)
  if (!r.ok) throw r.error
  return r.value
})

describe('link messages (data-channel wire format)', () => {
  it('round-trips Hello and Bye', () => {
    expect(decodeAll([encodeHello('peer-a'), encodeBye()])).toEqual([
      { type: LinkMessageType.Hello, peerId: 'peer-a' }, { type: LinkMessageType.Bye }
    ])
  })

  it('splits a frame into chunks and reassembles it, for sizes around the chunk size', () => {
    for (const size of [0, 1, 15, 16, 17, 33, 64, 1000]) {
      const frame = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff)
      const messages = encodeFrame(frame, 16)
      expect(messages).toHaveLength(Math.max(1, Math.ceil(size / 16)))
      const assembler = new FrameAssembler(1 << 20)
      const results = decodeAll(messages).map((m) => assembler.push(m))
      const last = results.at(-1)
      expect(results.slice(0, -1).every((r) => r.kind === 'partial')).toBe(true)
      expect(last?.kind === 'frame' && [...last.frame]).toEqual([...frame])
    }
  })

  it('refuses oversized frames, stray continuations and unknown versions or types', () => {
    const assembler = new FrameAssembler(10)
    const [start] = decodeAll(encodeFrame(new Uint8Array(40), 16))
    expect(start && assembler.push(start)).toMatchObject({ kind: 'error', error: { code: FrameErrorCode.Oversized } })
    const [, more] = decodeAll(encodeFrame(new Uint8Array(20), 16))
    expect(more && new FrameAssembler(100).push(more)).toMatchObject({ kind: 'error', error: { code: FrameErrorCode.Malformed } })
    expect(decodeLinkMessage(Uint8Array.of(9, 0))).toMatchObject({ ok: false, error: { code: FrameErrorCode.BadVersion } })
    expect(decodeLinkMessage(Uint8Array.of(1, 77))).toMatchObject({ ok: false, error: { code: FrameErrorCode.UnknownType } })
    expect(decodeLinkMessage(new Uint8Array(0))).toMatchObject({ ok: false, error: { code: FrameErrorCode.Truncated } })
  })
})

describe('y-webrtc signaling messages', () => {
  it('parses the messages of y-webrtc\'s server protocol and ignores anything else', () => {
    expect(parseSignalingMessage('{"type":"subscribe","topics":["a",1,"b"]}')).toEqual({ type: 'subscribe', topics: ['a', 'b'] })
    expect(parseSignalingMessage('{"type":"publish","topic":"a","data":{"x":1},"clients":2}'))
      .toEqual({ type: 'publish', topic: 'a', data: { x: 1 }, clients: 2 })
    expect(parseSignalingMessage('{"type":"ping"}')).toEqual({ type: 'ping' })
    for (const junk of ['', 'null', '[]', '{"type":"publish"}', '{"type":"nope"}', '{']) expect(parseSignalingMessage(junk)).toBeUndefined()
  })

  it('parses room messages: announce (optionally addressed) and signal; encrypted rooms are ignored', () => {
    expect(parseRoomMessage({ type: 'announce', from: 'a' })).toEqual({ type: 'announce', from: 'a' })
    expect(parseRoomMessage({ type: 'announce', from: 'a', to: 'b' })).toEqual({ type: 'announce', from: 'a', to: 'b' })
    expect(parseRoomMessage({ type: 'signal', from: 'a', to: 'b', token: 1.5, signal: { type: 'offer', sdp: 'x' } }))
      .toEqual({ type: 'signal', from: 'a', to: 'b', token: 1.5, signal: { type: 'offer', sdp: 'x' } })
    expect(parseRoomMessage('base64-ciphertext')).toBeUndefined()
    expect(parseRoomMessage({ type: 'signal', from: 'a', signal: {} })).toBeUndefined()
  })
})

describe('ICE candidate filter', () => {
  const candidate = (address: string) => ({ type: 'candidate', candidate: { candidate: `candidate:1 1 udp 2122 ${address} 5000 typ host`, sdpMid: '0' } })

  it('keeps loopback candidates only, in trickled candidates and in SDP', () => {
    expect(candidateAddress('candidate:1 1 udp 2122 127.0.0.1 5000 typ host')).toBe('127.0.0.1')
    expect(filterSignal(candidate('127.0.0.1'), loopbackOnly)).toBeDefined()
    expect(filterSignal(candidate('::1'), loopbackOnly)).toBeDefined()
    expect(filterSignal(candidate('192.0.2.2'), loopbackOnly)).toBeUndefined()
    expect(filterSignal(candidate('abcd.local'), loopbackOnly)).toBeUndefined()
    const sdp = ['v=0', 'a=candidate:1 1 udp 1 10.0.0.1 9 typ host', 'a=candidate:2 1 udp 1 127.0.0.1 9 typ host', ''].join('\r\n')
    expect(filterSignal({ type: 'offer', sdp }, loopbackOnly)?.sdp).toBe(['v=0', 'a=candidate:2 1 udp 1 127.0.0.1 9 typ host', ''].join('\r\n'))
  })
})

describe('TopicTable', () => {
  it('tracks subscriptions both ways and forgets a removed connection', () => {
    const table = new TopicTable<string>()
    table.subscribe('c1', ['x', 'y'])
    table.subscribe('c2', ['x'])
    expect(table.subscribers('x').sort()).toEqual(['c1', 'c2'])
    table.unsubscribe('c2', ['x'])
    table.remove('c1')
    expect(table.subscribers('x')).toEqual([])
    expect(table.topicCount).toBe(0)
  })
})

describe('EarlySignals (candidates that overtake their offer)', () => {
  it('holds signals per peer in order, bounded per peer and in peers, and hands them over once', () => {
    const early = new EarlySignals(2, 3)
    const [a, b, c] = [asPeerId('a'), asPeerId('b'), asPeerId('c')]
    for (let i = 0; i < 5; i++) early.hold(a, { type: 'candidate', n: i })
    early.hold(b, { type: 'candidate', n: 10 })
    early.hold(c, { type: 'candidate', n: 20 })
    expect(early.take(a)).toEqual([])
    expect(early.take(b)).toEqual([{ type: 'candidate', n: 10 }])
    expect(early.take(b)).toEqual([])
    expect(early.take(c)).toEqual([{ type: 'candidate', n: 20 }])
    early.hold(a, { n: 1 })
    early.hold(a, { n: 2 })
    expect(early.take(a)).toEqual([{ n: 1 }, { n: 2 }])
  })
})
