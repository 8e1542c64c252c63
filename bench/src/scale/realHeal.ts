import { createRequire } from 'node:module'
import { asPeerId } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { linkedInMesh, loopbackOnly, MeshHealer, RelayTransport, WebrtcTransport } from '@sship/webrtc'
import { SignalingServer } from '@sship/webrtc/server'
import { WebSocket } from 'ws'
import { until as untilEvery } from './realWebrtc.js'

const until = (done: () => boolean, timeoutMs: number): Promise<number | null> => untilEvery(done, timeoutMs, 10)

/** What a room of real Node WebRTC peers did when it had to heal with no signaling server. */
export interface RealHealResult {
  readonly n: number
  readonly k: number
  /** Each departure with every host gone: goodbye → every pair the rule now wants linked at both ends (ms); null if not within the limit. */
  readonly healMs: ReadonlyArray<number | null>
  /** Links the healers opened through the mesh over all departures. */
  readonly meshLinksOpened: number
}

const require = createRequire(import.meta.url)
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))


interface Device {
  readonly t: WebrtcTransport
  readonly relay: RelayTransport
  readonly healer: MeshHealer
}

/**
 * `n` real WebRTC peers (@roamhq/wrtc, one process, loopback candidates) on a capped mesh (rule
 * `k`) under the relay layer, each with a {@link MeshHealer}. They form through a signaling
 * server; then the server closes (every host gone) and, `departures` times, a peer whose leaving
 * makes the rule want a pair that has no link yet says goodbye: the time until every pair the rule wants among the
 * survivors is linked at both ends — offers and answers relayed through the mesh, nobody calling
 * `link` by hand — is the heal time.
 */
export async function measureRealHeal(n: number, k: number, departures: number): Promise<RealHealResult> {
  const wrtc = require('@roamhq/wrtc') as object
  const server = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
  const room = `scale-heal-${n}-${Date.now()}`
  const devices: Device[] = []
  try {
    for (let i = 0; i < n; i++) {
      const t = new WebrtcTransport({
        peerId: asPeerId(`h${String(i).padStart(3, '0')}`), room, signaling: [server.url], iceServers: [], wrtc, WebSocket,
        allowCandidate: loopbackOnly, random: seededRandom(i + 1), backoff: { initialMs: 20, maxMs: 300 }, mesh: { k, maxLinks: 20 }
      })
      const relay = new RelayTransport({ inner: t })
      t.useMeshSignals(relay)
      relay.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
      const healer = new MeshHealer({ links: t, mesh: relay, k, maxLinks: 20 })
      healer.start()
      devices.push({ t, relay, healer })
    }
    await until(() => devices.every((d) => d.relay.peers().size === n - 1), 30_000 + n * 2000)
    await server.close()
    await until(() => devices.every((d) => d.t.signalingUrls().length === 0), 10_000)
    const all = [...devices]
    const opened0 = all.reduce((s, d) => s + d.healer.opened, 0)
    const healMs: Array<number | null> = []
    for (let round = 0; round < departures; round++) {
      await sleep(500)
      const gone = devices.find((d) => missing(devices.filter((e) => e !== d), k) > 0)
      // No departure would need a new link (everyone is linked to everyone the rule could pick).
      if (gone === undefined) break
      devices.splice(devices.indexOf(gone), 1)
      gone.healer.stop()
      gone.relay.close()
      healMs.push(await until(() => missing(devices, k) === 0, 20_000))
    }
    return {
      n, k, healMs: healMs.map((ms) => (ms === null ? null : Math.round(ms))),
      meshLinksOpened: all.reduce((s, d) => s + d.healer.opened, 0) - opened0
    }
  } finally {
    for (const d of devices) {
      d.healer.stop()
      d.relay.close()
    }
    await server.close()
  }
}

/** Pairs the rule wants among `devices` that are not linked at both ends. */
function missing(devices: readonly Device[], k: number): number {
  const ids = devices.map((d) => d.t.localPeer)
  let count = 0
  for (const a of devices) for (const b of devices) {
    const x = a.t.localPeer
    const y = b.t.localPeer
    if (x < y && linkedInMesh(x, y, ids, k) && !(a.t.peers().has(y) && b.t.peers().has(x))) count++
  }
  return count
}
