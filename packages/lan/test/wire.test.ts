import { asPeerId, PROTOCOL_VERSION } from '@sship/core'
import { describe, expect, it } from 'vitest'
import {
  chooseLink, decodeHello, encodeHello, LinkChoice, parseHostPort, advertisementRecords, parseInstances, instanceName
} from '../src/index.js'

describe('hello codec', () => {
  const hello = { protocol: PROTOCOL_VERSION, app: 'todo ✓', peerId: asPeerId('peer-1'), session: 'abcd' }

  it('round-trips', () => {
    expect(decodeHello(encodeHello(hello))).toEqual({ ok: true, hello })
  })

  it('reports every truncation and trailing garbage as a value, never a throw', () => {
    const bytes = encodeHello(hello)
    for (let n = 0; n < bytes.length; n++) {
      const r = decodeHello(bytes.subarray(0, n))
      expect(r.ok, `prefix of ${n} bytes`).toBe(false)
    }
    const longer = new Uint8Array(bytes.length + 1)
    longer.set(bytes)
    expect(decodeHello(longer)).toEqual({ ok: false, reason: 'hello has trailing bytes' })
  })

  it('rejects another handshake version', () => {
    const bytes = encodeHello(hello)
    bytes[0] = 9
    expect(decodeHello(bytes)).toEqual({ ok: false, reason: 'LAN handshake version 9 is not 1' })
  })
})

describe('chooseLink', () => {
  const a = asPeerId('a')
  const b = asPeerId('b')

  it('keeps the link dialed by the smaller GUID, seen the same from both ends', () => {
    // From a's side: existing was dialed by b, the new one by a (the smaller) → replace.
    expect(chooseLink(a, b, { dialer: b, session: 's' }, { dialer: a, session: 's' })).toBe(LinkChoice.Replace)
    // From b's side, the same two links in the other order of arrival.
    expect(chooseLink(b, a, { dialer: a, session: 's' }, { dialer: b, session: 's' })).toBe(LinkChoice.KeepExisting)
    expect(chooseLink(b, a, { dialer: b, session: 's' }, { dialer: a, session: 's' })).toBe(LinkChoice.Replace)
  })

  it('keeps the first of two links dialed by the same side', () => {
    expect(chooseLink(a, b, { dialer: a, session: 's' }, { dialer: a, session: 's' })).toBe(LinkChoice.KeepExisting)
  })

  it('lets a new session win whatever the dialers', () => {
    expect(chooseLink(a, b, { dialer: a, session: 'old' }, { dialer: b, session: 'new' })).toBe(LinkChoice.Restart)
  })
})

describe('DNS-SD records', () => {
  const ad = { app: 'todo', peerId: asPeerId('3f2c-peer'), version: 1, port: 4321, address: '127.0.0.1' }

  it('parse back to the advertisement', () => {
    expect(parseInstances(advertisementRecords(ad, 120))).toEqual([{
      instance: instanceName(ad.peerId).toLowerCase(), ttl: 120, peerId: '3f2c-peer', app: 'todo', version: 1, port: 4321, host: '127.0.0.1'
    }])
  })

  it('carry TTL 0 in a goodbye', () => {
    expect(parseInstances(advertisementRecords(ad, 0))[0]?.ttl).toBe(0)
  })

  it('use a hashed label for a GUID that is not a DNS label, and keep the GUID in TXT', () => {
    const odd = { ...ad, peerId: asPeerId('peer.with.dots/and/slashes-' + 'x'.repeat(80)) }
    const name = instanceName(odd.peerId)
    expect(name).toMatch(/^p-[0-9a-f]{16}\._sship\._tcp\.local$/)
    expect(parseInstances(advertisementRecords(odd, 120))[0]?.peerId).toBe(odd.peerId)
  })

  it('skip malformed records instead of throwing', () => {
    expect(parseInstances([{ name: '_sship._tcp.local', type: 'PTR', data: 'x._sship._tcp.local' }])).toEqual([{ instance: 'x._sship._tcp.local', ttl: 0 }])
    expect(parseInstances([{ name: 'x._sship._tcp.local', type: 'TXT', data: [] }])).toEqual([])
  })
})

describe('parseHostPort', () => {
  it('reads IPv4 and bracketed IPv6, and names a bad value', () => {
    expect(parseHostPort('127.0.0.1:80')).toEqual({ host: '127.0.0.1', port: 80 })
    expect(parseHostPort('[::1]:4000')).toEqual({ host: '::1', port: 4000 })
    expect(() => parseHostPort('127.0.0.1')).toThrow(/"127.0.0.1" is not host:port/)
    expect(() => parseHostPort('h:70000')).toThrow(/not host:port/)
  })
})
