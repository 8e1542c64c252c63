/**
 * mDNS hygiene (issue [J]): which advertised addresses are dialed, and how often a query flood
 * is answered. Pure functions and virtual time; seeded where random.
 */
import { VirtualClock } from '@sship/core/testing'
import { seededRandom } from '@sship/core'
import { describe, expect, it } from 'vitest'
import { AnswerLimiter } from '../src/discovery/AnswerLimiter.js'
import { ipv4ToInt, undialable } from '../src/discovery/dialPolicy.js'

const lan = { interface: '192.168.1.20', netmask: '255.255.255.0' }
const loop = { interface: '127.0.0.1', netmask: '255.0.0.0' }

describe('undialable (the mDNS dial filter)', () => {
  it('dials unicast addresses on the interface subnet, from port 1024 on', () => {
    expect(undialable('192.168.1.7', 4000, lan)).toBeUndefined()
    expect(undialable('127.0.0.1', 4000, loop)).toBeUndefined()
    expect(undialable('127.9.9.9', 1024, loop)).toBeUndefined()
  })

  it.each([
    ['another network', '77.0.0.0', 4000, lan],
    ['a multicast address', '224.0.0.251', 4000, lan],
    ['the broadcast address', '192.168.1.255', 4000, lan],
    ['the network address', '192.168.1.0', 4000, lan],
    ['a low port', '192.168.1.7', 80, lan],
    ['port 0', '192.168.1.7', 0, lan],
    ['a port out of range', '192.168.1.7', 70000, lan],
    ['loopback from a LAN interface', '127.0.0.1', 4000, lan],
    ['a LAN address from a loopback interface', '192.168.1.7', 4000, loop],
    ['not an address', 'example.local', 4000, lan],
    ['an IPv6 address', '::1', 4000, lan]
  ] as const)('refuses %s', (_what, host, port, policy) => {
    expect(undialable(host, port, policy)).toBeTypeOf('string')
  })

  it('allows low ports when configured', () => {
    expect(undialable('192.168.1.7', 80, { ...lan, allowLowPorts: true })).toBeUndefined()
  })

  it('never dials outside the subnet, for random addresses (seeded)', () => {
    const random = seededRandom(7)
    const self = ipv4ToInt(lan.interface) ?? 0
    for (let i = 0; i < 10_000; i++) {
      const n = Math.floor(random.next() * 2 ** 32)
      const host = [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')
      const ok = undialable(host, 5000, lan) === undefined
      if (ok) {
        expect(n >>> 8, `seed 7, ${host}`).toBe(self >>> 8)
        expect([0, 255]).not.toContain(n & 255)
      }
    }
  })
})

describe('AnswerLimiter', () => {
  it('answers a query flood once per interval, and the last query of a burst still gets an answer', () => {
    const clock = new VirtualClock()
    const sent: number[] = []
    const limiter = new AnswerLimiter(clock, 1000, () => sent.push(clock.now()))
    for (let ms = 0; ms < 10_000; ms += 1) {
      limiter.request()
      clock.advance(1)
    }
    clock.advance(2000)
    expect(sent.length).toBeLessThanOrEqual(11)
    expect(sent.length).toBeGreaterThanOrEqual(10)
    for (let i = 1; i < sent.length; i++) expect((sent[i] ?? 0) - (sent[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000)
    expect(sent.at(-1)).toBeGreaterThanOrEqual(9999)
    expect(limiter.coalesced).toBe(10_000 - sent.length)
  })

  it('answers a lone query at once', () => {
    const clock = new VirtualClock()
    const sent: number[] = []
    const limiter = new AnswerLimiter(clock, 1000, () => sent.push(clock.now()))
    clock.advance(5000)
    limiter.request()
    expect(sent).toEqual([5000])
  })
})
