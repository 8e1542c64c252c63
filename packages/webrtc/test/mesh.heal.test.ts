import { asPeerId, type PeerId, type Random } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import { linkedInMesh, MeshHealer, RelayTransport } from '../src/index.js'
import { NegotiatedLinks, SignalRoom } from './support/NegotiatedLinks.js'

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1)
const N = 16
const K = 2
const MAX_LINKS = 12
/** WebrtcTransport's default: an offer lost on a route that changed under it is retried by the healer long before. */
const CONNECT_TIMEOUT_MS = 15_000
const replay = (seed: number): string => `seed ${seed}; replay: npx vitest run packages/webrtc/test/mesh.heal.test.ts -t "seed ${seed}"`

interface Room {
  readonly net: MemoryNetwork
  readonly room: SignalRoom
  readonly links: Map<PeerId, NegotiatedLinks>
  readonly relays: Map<PeerId, RelayTransport>
  readonly healers: Map<PeerId, MeshHealer>
  readonly live: Set<PeerId>
}

/** N peers linked along the capped rule through the signaling room (as the hosts' servers do), with or without healers. */
function room(seed: number, heal: boolean, answerMs?: number): Room {
  const net = new MemoryNetwork({ seed, latencyMs: { min: 2, max: 20 } })
  const clock = net.clock
  const room = new SignalRoom(clock)
  const ids = Array.from({ length: N }, (_, i) => asPeerId(`p${String(i).padStart(2, '0')}`))
  const r: Room = { net, room, links: new Map(), relays: new Map(), healers: new Map(), live: new Set(ids) }
  for (const id of ids) {
    const links = new NegotiatedLinks(net.transport(id), room, clock, MAX_LINKS, CONNECT_TIMEOUT_MS)
    const relay = new RelayTransport({ inner: links, clock, incarnation: 1, defer: (fn) => clock.setTimeout(fn, 0) })
    links.useMeshSignals(relay)
    relay.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
    r.links.set(id, links)
    r.relays.set(id, relay)
    if (heal) {
      const healer = new MeshHealer({ links, mesh: relay, k: K, maxLinks: MAX_LINKS, clock, ...(answerMs === undefined ? {} : { answerMs }) })
      healer.start()
      r.healers.set(id, healer)
    }
  }
  clock.advance(50)
  for (const a of ids) for (const b of ids) if (a < b && linkedInMesh(a, b, ids, K)) r.links.get(a)?.link(b)
  clock.advance(3000)
  return r
}

/** Pairs the rule wants over the live peers that are not linked at both ends (an end at its cap excuses a pair). */
function missingPairs(r: Room): string[] {
  const live = [...r.live]
  const missing: string[] = []
  for (const a of live) for (const b of live) {
    if (a >= b || !linkedInMesh(a, b, live, K)) continue
    const la = r.links.get(a)!
    const lb = r.links.get(b)!
    if (la.peers().has(b) && lb.peers().has(a)) continue
    if (la.peers().size >= MAX_LINKS || lb.peers().size >= MAX_LINKS) continue
    missing.push(`${a}-${b}`)
  }
  return missing
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random.next() * items.length)] as T
}

/** A seeded schedule with every host gone: peers leave (goodbye), crash (their neighbours notice later) and links break. */
function chaos(r: Room, seed: number): void {
  const random = seededRandom(seed * 7919)
  const clock = r.net.clock
  r.room.up = false
  clock.advance(500)
  for (let step = 0; step < 6; step++) {
    const what = random.next()
    const live = [...r.live]
    if (what < 0.35 && live.length > 8) {
      const p = pick(random, live)
      r.live.delete(p)
      r.healers.get(p)?.stop()
      r.relays.get(p)?.close()
    } else if (what < 0.7 && live.length > 8) {
      const p = pick(random, live)
      r.live.delete(p)
      r.healers.get(p)?.stop()
      const neighbours = [...(r.links.get(p)?.peers() ?? [])]
      r.net.crash(p)
      // The data channels of a crashed peer close when ICE gives up: a few seconds, peer by peer.
      for (const n of neighbours) clock.setTimeout(() => r.links.get(n)?.breakLink(p), 500 + Math.floor(random.next() * 2500))
    } else {
      const a = pick(random, live)
      const linked = [...(r.links.get(a)?.peers() ?? [])]
      if (linked.length > 0) {
        const b = pick(random, linked)
        r.links.get(a)?.breakLink(b)
        r.links.get(b)?.breakLink(a)
      }
    }
    clock.advance(1000 + Math.floor(random.next() * 3000))
  }
  clock.advance(10_000)
}

describe('a capped mesh heals itself through the mesh when every host is gone (seeded)', () => {
  for (const seed of SEEDS) {
    it(`re-forms every link the rule wants, and every live peer reaches every other (seed ${seed})`, () => {
      const r = room(seed, true)
      expect(missingPairs(r), `the room formed through the servers; ${replay(seed)}`).toEqual([])
      chaos(r, seed)
      expect(missingPairs(r), replay(seed)).toEqual([])
      for (const p of r.live) {
        const reach = r.relays.get(p)!.peers()
        expect([...r.live].filter((q) => q !== p && !reach.has(q)), `${p} reaches every live peer; ${replay(seed)}`).toEqual([])
        expect(r.links.get(p)!.peers().size, replay(seed)).toBeLessThanOrEqual(MAX_LINKS)
      }
      const meshOffers = [...r.live].reduce((s, p) => s + r.links.get(p)!.meshOffers, 0)
      expect(meshOffers, `links were offered through the mesh; ${replay(seed)}`).toBeGreaterThan(0)
      expect(r.net.handlerErrors(), replay(seed)).toEqual([])
    })
  }

  it('without a healer the same schedule leaves pairs unlinked (the check above can fail)', () => {
    const failing = SEEDS.filter((seed) => {
      const r = room(seed, false)
      chaos(r, seed)
      return missingPairs(r).length > 0
    })
    expect(failing.length).toBeGreaterThan(SEEDS.length / 2)
  })

  for (const [answerMs, relinked] of [[1000, true], [60_000, false]] as const) {
    it(`offers again when an offer through the mesh is lost (answerMs ${answerMs}: ${relinked ? 'relinked' : 'still waiting'})`, () => {
      const r = room(3, true, answerMs)
      r.room.up = false
      r.net.clock.advance(3000)
      const a = [...r.live].find((p) => r.healers.get(p)!.toOffer().length > 0)!
      const b = r.healers.get(a)!.toOffer()[0]!
      r.links.get(a)!.loseSignals = 1
      r.links.get(a)!.breakLink(b)
      r.links.get(b)!.breakLink(a)
      r.net.clock.advance(3000)
      expect(r.links.get(a)!.peers().has(b) && r.links.get(b)!.peers().has(a)).toBe(relinked)
    })
  }

  it('does nothing while a signaling server is up, and offers only on the initiator side', () => {
    const r = room(1, true)
    const p = [...r.live][0]!
    const healer = r.healers.get(p)!
    expect(healer.check()).toEqual([])
    for (const q of healer.toOffer()) expect(p < q).toBe(true)
  })
})
