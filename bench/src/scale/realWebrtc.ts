import { createRequire } from 'node:module'
import { asPeerId } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { loopbackOnly, RelayTransport, WebrtcTransport } from '@sship/webrtc'
import { SignalingServer } from '@sship/webrtc/server'
import { WebSocket } from 'ws'

/** What a room of real Node WebRTC peers (full mesh, the current design) measured. */
export interface RealWebrtcResult {
  readonly n: number
  /** `full`: today's design, everyone linked; `mesh`: capped links (k = 6, ≤ 20) under the relay layer. */
  readonly mode: 'full' | 'mesh'
  /** Every peer linked to every other within the time limit. */
  readonly meshed: boolean
  /** Start of the last peer → full mesh (ms). */
  readonly meshMs: number | null
  /** Per-link setup time (create → both hellos), p50 / max (ms). */
  readonly linkSetupP50Ms: number | null
  readonly linkSetupMaxMs: number | null
  /** A newcomer: start → linked to everyone (ms). */
  readonly newcomerMs: number | null
  /** Most links any peer held. */
  readonly linksMax: number
  /** Mesh mode: with the signaling server closed, a new link between two unlinked peers through the mesh (ms). */
  readonly relinkThroughMeshMs: number | null
  /** Process CPU per second of idle, divided by the peers (ms/s). */
  readonly idleCpuMsPerSecPerPeer: number
  /** RSS growth per peer (MB), this process. */
  readonly rssMbPerPeer: number
}

const require = createRequire(import.meta.url)
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `done` every `stepMs` until it holds; the wait in ms, or null after `timeoutMs`. */
export async function until(done: () => boolean, timeoutMs: number, stepMs = 20): Promise<number | null> {
  const start = performance.now()
  while (!done()) {
    if (performance.now() - start > timeoutMs) return null
    await sleep(stepMs)
  }
  return performance.now() - start
}

/**
 * `n` WebrtcTransports in this process (@roamhq/wrtc, loopback candidates only, no ICE servers,
 * signaling on 127.0.0.1), linked as today's design does (everyone to everyone); then one
 * newcomer. Measures link setup times, idle CPU and memory. One process stands for n devices:
 * CPU and memory are per peer of that process.
 */
export async function measureRealWebrtc(n: number, idleMs: number, mode: 'full' | 'mesh'): Promise<RealWebrtcResult> {
  const wrtc = require('@roamhq/wrtc') as object
  const server = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
  const room = `scale-${mode}-${n}-${Date.now()}`
  const relays: RelayTransport[] = []
  const make = (i: number): WebrtcTransport => {
    const t = new WebrtcTransport({
      peerId: asPeerId(`w${String(i).padStart(3, '0')}`), room, signaling: [server.url], iceServers: [], wrtc, WebSocket,
      allowCandidate: loopbackOnly, random: seededRandom(i + 1), backoff: { initialMs: 20, maxMs: 300 },
      ...(mode === 'mesh' ? { mesh: { k: 6, maxLinks: 20 } } : {})
    })
    const events = { peerJoined: () => {}, peerLeft: () => {}, frame: () => {} }
    if (mode === 'full') t.connect(events)
    else {
      const relay = new RelayTransport({ inner: t })
      t.useMeshSignals(relay)
      relay.connect(events)
      relays.push(relay)
    }
    return t
  }
  const reach = (i: number): number => (mode === 'full' ? peers[i]?.peers().size : relays[i]?.peers().size) ?? 0
  const rss0 = process.memoryUsage().rss
  const peers: WebrtcTransport[] = []
  try {
    for (let i = 0; i < n; i++) peers.push(make(i))
    const meshMs = await until(() => peers.every((_, i) => reach(i) === n - 1), 30_000 + n * 2000)
    const setups = peers.flatMap((p) => p.getLinks().flatMap((l) => (l.connectMs === undefined ? [] : [l.connectMs]))).sort((a, b) => a - b)
    await sleep(1000)
    const rss = process.memoryUsage().rss
    const cpu0 = process.cpuUsage()
    await sleep(idleMs)
    const cpu = process.cpuUsage(cpu0)
    const newcomer = make(n)
    peers.push(newcomer)
    const newcomerMs = await until(() => reach(n) === n, 20_000)
    const linksMax = Math.max(...peers.map((p) => p.peers().size))
    let relinkThroughMeshMs: number | null = null
    if (mode === 'mesh') {
      await server.close()
      await until(() => peers.every((p) => p.signalingUrls().length === 0), 10_000)
      const room = (t: WebrtcTransport): boolean => t.getLinks().length < 20
      const x = peers.find((a) => room(a) && peers.some((b) => b !== a && room(b) && !a.peers().has(b.localPeer)))
      const y = peers.find((b) => x !== undefined && b !== x && room(b) && !x.peers().has(b.localPeer))
      if (x !== undefined && y !== undefined) {
        x.link(y.localPeer)
        const ms = await until(() => x.peers().has(y.localPeer) && y.peers().has(x.localPeer), 20_000)
        relinkThroughMeshMs = ms === null ? null : Math.round(ms)
      }
    }
    return {
      n, mode, linksMax, relinkThroughMeshMs, meshed: meshMs !== null, meshMs: meshMs === null ? null : Math.round(meshMs),
      linkSetupP50Ms: setups.length === 0 ? null : Math.round(setups[Math.floor(setups.length / 2)] as number),
      linkSetupMaxMs: setups.length === 0 ? null : Math.round(setups[setups.length - 1] as number),
      newcomerMs: newcomerMs === null ? null : Math.round(newcomerMs),
      idleCpuMsPerSecPerPeer: Math.round(((cpu.user + cpu.system) / 1000 / (idleMs / 1000) / n) * 100) / 100,
      rssMbPerPeer: Math.round(((rss - rss0) / 1e6 / n) * 10) / 10
    }
  } finally {
    for (const r of relays) r.close()
    for (const p of peers) p.close()
    await server.close()
  }
}
