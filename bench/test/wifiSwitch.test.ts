import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The impairing switch's logic (bench/switch/wifi_switch.py), run on virtual time through its
 * `--replay` mode with a seeded RNG: no namespaces, no TAPs, no root needed.
 */
const SWITCH = fileURLToPath(new URL('../switch/wifi_switch.py', import.meta.url))

interface Delivery { readonly t: number; readonly port: number; readonly frame: string; readonly sent: number }
interface Stats { readonly type: 'stats'; readonly in: number; readonly lost: number; readonly out: number; readonly cutDropped: number; readonly flooded: number }

function replay(config: object, events: readonly object[]): { deliveries: Delivery[]; stats: Stats } {
  const r = spawnSync('python3', [SWITCH, '--replay', JSON.stringify(config)], { input: events.map((e) => JSON.stringify(e)).join('\n'), encoding: 'utf8', timeout: 60_000 })
  if (r.status !== 0) throw new Error(`wifi_switch.py --replay failed (${r.status}): ${r.stderr}`)
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Delivery | Stats)
  const stats = lines.at(-1) as Stats
  expect(stats.type).toBe('stats')
  return { deliveries: lines.slice(0, -1) as Delivery[], stats }
}

const mac = (i: number): string => `02000000000${i.toString(16)}`
/** An Ethernet frame from host `from` to `to` (a MAC hex string), IPv4 ethertype, a payload tag. */
const frame = (to: string, from: number, tag: number): string => `${to}${mac(from)}0800${tag.toString(16).padStart(8, '0')}`
const BROADCAST = 'ffffffffffff'
/** mDNS's IPv4 group 224.0.0.251 as an Ethernet multicast address. */
const MDNS = '01005e0000fb'

describe('wifi_switch.py (replay mode)', () => {
  it('floods broadcast and multicast (mDNS) to every other port, learns MACs, and sends known unicast to one port only', () => {
    const events = [
      { t: 0, port: 0, frame: frame(BROADCAST, 0, 1) },
      { t: 1, port: 1, frame: frame(MDNS, 1, 2) },
      { t: 2, port: 2, frame: frame(mac(0), 2, 3) },
      { t: 3, port: 0, frame: frame(mac(1), 0, 4) }
    ]
    const { deliveries, stats } = replay({ seed: 1, ports: 3 }, events)
    const to = (tag: number): number[] => deliveries.filter((d) => d.frame.endsWith(tag.toString(16).padStart(8, '0'))).map((d) => d.port).sort()
    expect(to(1), 'broadcast from 0').toEqual([1, 2])
    expect(to(2), 'mDNS multicast from 1').toEqual([0, 2])
    expect(to(3), 'unicast to 0, learned from its first frame').toEqual([0])
    expect(to(4), 'unicast to 1, learned from its multicast').toEqual([1])
    expect(deliveries.every((d) => d.t === d.sent), 'no delay configured').toBe(true)
    expect(stats).toMatchObject({ in: 4, lost: 0, out: 6 })
  })

  it('draws each frame\'s delay from a normal distribution (clipped at 0) and loses frames independently at the set rate, reordering them', () => {
    const n = 6000
    const events = Array.from({ length: n }, (_, i) => ({ t: i * 2, port: 0, frame: frame(BROADCAST, 0, i) }))
    const { deliveries, stats } = replay({ seed: 7, ports: 2, delayMs: 50, jitterMs: 20, loss: 0.05 }, events)
    const delays = deliveries.map((d) => d.t - d.sent)
    const mean = delays.reduce((s, d) => s + d, 0) / delays.length
    const sd = Math.sqrt(delays.reduce((s, d) => s + (d - mean) ** 2, 0) / delays.length)
    expect(stats.lost / n, 'loss rate').toBeGreaterThan(0.04)
    expect(stats.lost / n, 'loss rate').toBeLessThan(0.06)
    expect(deliveries.length + stats.lost).toBe(n)
    expect(mean).toBeGreaterThan(48)
    expect(mean).toBeLessThan(52)
    expect(sd).toBeGreaterThan(18.5)
    expect(sd).toBeLessThan(21.5)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0)
    // About 68 % within one standard deviation, as a normal distribution has.
    const within = delays.filter((d) => Math.abs(d - 50) <= 20).length / delays.length
    expect(within).toBeGreaterThan(0.64)
    expect(within).toBeLessThan(0.72)
    const order = deliveries.map((d) => d.sent)
    expect(order.some((s, i) => i > 0 && s < (order[i - 1] ?? 0)), 'jitter reorders frames, as netem does').toBe(true)
    // Same seed, same fate; another seed, another.
    expect(replay({ seed: 7, ports: 2, delayMs: 50, jitterMs: 20, loss: 0.05 }, events.slice(0, 200)).deliveries)
      .toEqual(replay({ seed: 7, ports: 2, delayMs: 50, jitterMs: 20, loss: 0.05 }, events.slice(0, 200)).deliveries)
    expect(replay({ seed: 8, ports: 2, delayMs: 50, jitterMs: 20, loss: 0.05 }, events.slice(0, 200)).deliveries)
      .not.toEqual(replay({ seed: 7, ports: 2, delayMs: 50, jitterMs: 20, loss: 0.05 }, events.slice(0, 200)).deliveries)
  })

  it('a cut host neither sends nor receives, a frame in flight to it is dropped, and a heal restores both; impairment applies per host', () => {
    const events = [
      { t: 0, port: 1, frame: frame(BROADCAST, 1, 1) }, // in flight to 0 when 0 is cut
      { t: 1, cmd: 'cut', host: 0 },
      { t: 2, port: 0, frame: frame(BROADCAST, 0, 2) },
      { t: 3, port: 1, frame: frame(BROADCAST, 1, 3) },
      { t: 20, cmd: 'heal', host: 0 },
      { t: 21, cmd: 'impair', host: 1, delayMs: 0, jitterMs: 0, loss: 0 },
      { t: 22, port: 0, frame: frame(BROADCAST, 0, 4) },
      { t: 23, port: 1, frame: frame(BROADCAST, 1, 5) }
    ]
    const { deliveries, stats } = replay({ seed: 3, ports: 3, delayMs: 5, jitterMs: 0 }, events)
    const got = deliveries.map((d) => [Number.parseInt(d.frame.slice(-8), 16), d.port, d.t - d.sent])
    expect(got).toEqual(expect.arrayContaining([[1, 2, 5], [3, 2, 5], [5, 0, 0], [5, 2, 0], [4, 1, 5], [4, 2, 5]]))
    expect(got.filter(([tag]) => tag === 1 || tag === 2 || tag === 3).map(([, port]) => port)).toEqual([2, 2])
    expect(stats.cutDropped).toBe(3)
  })
})
