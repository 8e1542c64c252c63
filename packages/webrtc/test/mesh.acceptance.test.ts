import { asPeerId, type PeerId, type Transport, type TransportEvents } from '@sship/core'
import { MemoryNetwork } from '@sship/core/testing'
import { runTransportTests } from '@sship/core/transport-suite'
import { RelayTransport } from '../src/index.js'

/** Passes through only the links `allowed` says exist: a mesh where some pairs have no link. */
class OnlyLinks implements Transport {
  readonly localPeer: PeerId
  private events: TransportEvents | undefined
  constructor(private readonly inner: Transport, private readonly allowed: (a: PeerId, b: PeerId) => boolean) {
    this.localPeer = inner.localPeer
  }
  connect(events: TransportEvents): void {
    this.events = events
    const ok = (p: PeerId): boolean => this.allowed(this.localPeer, p)
    this.inner.connect({
      peerJoined: (p) => ok(p) && this.events?.peerJoined(p),
      peerLeft: (p) => ok(p) && this.events?.peerLeft(p),
      frame: (from, data) => ok(from) && this.events?.frame(from, data)
    })
  }
  send(to: PeerId, data: Uint8Array): void {
    if (this.allowed(this.localPeer, to)) this.inner.send(to, data)
  }
  peers(): ReadonlySet<PeerId> {
    return new Set([...this.inner.peers()].filter((p) => this.allowed(this.localPeer, p)))
  }
  close(): void {
    this.events = undefined
    this.inner.close()
  }
}

const ids = [asPeerId('mesh-a'), asPeerId('mesh-b'), asPeerId('mesh-c')] as const

/** Three relay transports over the in-memory network; `allowed` decides which pairs hold a link. */
const setup = (allowed: (a: PeerId, b: PeerId) => boolean) => () => {
  const network = new MemoryNetwork({ seed: 17 })
  const transports = ids.map((id, i) => new RelayTransport({
    inner: new OnlyLinks(network.transport(id), allowed), clock: network.clock, incarnation: 1000 + i, refreshMs: 0
  })) as unknown as readonly [RelayTransport, RelayTransport, RelayTransport]
  return {
    peerIds: ids,
    transports,
    // Sends are deferred by a microtask; the await between flushes lets them go out.
    settle: async () => {
      await Promise.resolve()
      network.flush()
    },
    teardown: async () => {
      for (const t of transports) t.close()
    }
  }
}

runTransportTests('RelayTransport over a full in-memory mesh', setup(() => true))
// a and c hold no link: every frame between them is relayed by b.
const relayedAC = (x: PeerId, y: PeerId): boolean => !((x === ids[0] && y === ids[2]) || (x === ids[2] && y === ids[0]))
runTransportTests('RelayTransport over a line a–b–c (a↔c relayed by b)', setup(relayedAC))
