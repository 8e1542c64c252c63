import { asPeerId } from '@sship/core'
import { cryptoRandom, randomHex } from '@sship/core/internals'
import { MdnsDiscovery } from '@sship/lan'
import { loopbackMdns } from '@sship/lan/testing'

/** What one mDNS room measured. */
export interface MdnsRoomResult {
  readonly strategy: 'rfc6762' | 'periodic'
  readonly peers: number
  readonly ttlSeconds: number
  /** Multicast datagrams sent by all peers per second in the window, and per peer. */
  readonly framesPerSec: number
  readonly framesPerSecPerPeer: number
  /** Datagrams from start to the end of the window (join bursts included). */
  readonly totalFrames: number
  /** Every peer listed every other peer at the end. */
  readonly complete: boolean
  readonly windowSeconds: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * `peers` real {@link MdnsDiscovery} instances in this process, each with its own UDP socket on a
 * fresh loopback mDNS port (real multicast datagrams, real timers), joining over `joinSpreadMs`
 * like a class arriving; counts the datagrams they send from `warmupMs` on for `windowMs`. One
 * process instead of `sship join` processes: the policy is the same code, and 50 Node processes
 * do not fit on this 2-core machine next to the other engineers.
 */
export async function measureMdnsRoom(
  peers: number, strategy: 'rfc6762' | 'periodic', opts: { ttlSeconds: number; warmupMs: number; windowMs: number; joinSpreadMs: number }
): Promise<MdnsRoomResult> {
  const net = await loopbackMdns()
  const app = `scale-${randomHex(cryptoRandom, 4)}`
  const rooms: MdnsDiscovery[] = []
  const sent = (): number => rooms.reduce((s, d) => s + d.stats().packetsSent, 0)
  try {
    for (let i = 0; i < peers; i++) {
      const d = new MdnsDiscovery({
        app, peerId: asPeerId(`p${i}-${randomHex(cryptoRandom, 8)}`), ...net, ttlSeconds: opts.ttlSeconds, strategy,
        ...(strategy === 'periodic' ? { queryIntervalMs: 10_000 } : {})
      })
      rooms.push(d)
      await d.start({ port: 20_000 + i, host: '127.0.0.1' })
      await sleep(opts.joinSpreadMs / peers)
    }
    await sleep(Math.max(0, opts.warmupMs - opts.joinSpreadMs))
    const before = sent()
    await sleep(opts.windowMs)
    const inWindow = sent() - before
    const complete = rooms.every((d) => d.entries().length === peers - 1)
    const framesPerSec = inWindow / (opts.windowMs / 1000)
    return {
      strategy, peers, ttlSeconds: opts.ttlSeconds, framesPerSec: round(framesPerSec), framesPerSecPerPeer: round(framesPerSec / peers),
      totalFrames: sent(), complete, windowSeconds: opts.windowMs / 1000
    }
  } finally {
    await Promise.all(rooms.map((d) => d.close()))
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
