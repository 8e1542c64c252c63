import { createRequire } from 'node:module'
import { asPeerId } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { loopbackOnly, RelayTransport, WebrtcTransport } from '@sship/webrtc'
import { WebSocket } from 'ws'

/** What the parent asks a {@link rtcWorker} process. */
export type RtcWorkerRequest = { type: 'status' } | { type: 'cpu' } | { type: 'close' }
/** What a worker answers. */
export type RtcWorkerReply =
  | { type: 'status'; reach: number[]; links: number[]; setups: number[] }
  | { type: 'cpu'; cpuMs: number; rssMb: number; atMs: number }

/**
 * A child process holding some of a room's real WebRTC peers (`@roamhq/wrtc`, loopback
 * candidates, no ICE servers): one process runs out of file descriptors near 20 fully linked
 * peers (wrtc holds about 50 per peer connection), so a room is spread over several. Started by
 * `measureRealWebrtcMulti` with argv `url room mode from to`; answers its requests over IPC.
 */
function main(): void {
  const [url, room, mode, fromArg, toArg] = process.argv.slice(2)
  if (url === undefined || room === undefined || process.send === undefined) throw new Error('rtcWorker: started without its arguments')
  const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as object
  const peers: WebrtcTransport[] = []
  const relays: RelayTransport[] = []
  for (let i = Number(fromArg); i < Number(toArg); i++) {
    const t = new WebrtcTransport({
      peerId: asPeerId(`w${String(i).padStart(3, '0')}`), room, signaling: [url], iceServers: [], wrtc, WebSocket,
      allowCandidate: loopbackOnly, random: seededRandom(i + 1), backoff: { initialMs: 20, maxMs: 300 },
      ...(mode === 'mesh' ? { mesh: { k: 6, maxLinks: 20 } } : {})
    })
    const events = { peerJoined: () => {}, peerLeft: () => {}, frame: () => {} }
    if (mode === 'mesh') {
      const relay = new RelayTransport({ inner: t })
      t.useMeshSignals(relay)
      relay.connect(events)
      relays.push(relay)
    } else t.connect(events)
    peers.push(t)
  }
  process.on('message', (m: RtcWorkerRequest) => {
    if (m.type === 'status') {
      process.send?.({
        type: 'status',
        reach: peers.map((p, i) => (mode === 'mesh' ? relays[i]?.peers().size : p.peers().size) ?? 0),
        links: peers.map((p) => p.peers().size),
        setups: peers.flatMap((p) => p.getLinks().flatMap((l) => (l.connectMs === undefined ? [] : [l.connectMs])))
      } satisfies RtcWorkerReply)
    } else if (m.type === 'cpu') {
      const c = process.cpuUsage()
      process.send?.({ type: 'cpu', cpuMs: (c.user + c.system) / 1000, rssMb: process.memoryUsage().rss / 1e6, atMs: performance.now() } satisfies RtcWorkerReply)
    } else {
      for (const r of relays) r.close()
      for (const p of peers) p.close()
      setTimeout(() => process.exit(0), 200)
    }
  })
  process.on('disconnect', () => process.exit(0))
}

main()
