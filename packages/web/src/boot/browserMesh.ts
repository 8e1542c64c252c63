import { combineTransports } from '@sship/core/internals'
import type { PeerId, Transport } from '@sship/core'
import { MeshHealer, RelayTransport, TabTransport, WebrtcTransport } from '@sship/webrtc'

/** A page's links to other browsers, under one routing layer. */
export interface BrowserMesh {
  /** Every browser peer reachable over any chain of WebRTC and tab links (a {@link RelayTransport}); undefined with neither. */
  readonly transport: Transport | undefined
  /** The WebRTC links (undefined without signaling servers to start from). */
  readonly rtc: WebrtcTransport | undefined
  /** Stops healing (closing the transport closes the links). */
  stop(): void
}

/** Links per page the capped rule aims at: about 2k + 2 (y-webrtc caps at 20 + 15). */
const MESH_K = 6
const MAX_LINKS = 20

/**
 * The browser side of a classroom: WebRTC links to other browsers, capped by the rendezvous rule
 * (a room of 60 phones does not hold 59 peer connections each), and this browser's other tabs over
 * BroadcastChannel, both under a {@link RelayTransport} so every browser reaches every other
 * through relays. A {@link MeshHealer} keeps it whole when every host is gone: a link that drops,
 * or a pair the rule picks after a departure, is opened with offers and answers relayed through
 * the mesh — including through a sibling tab, which is how a page that reloaded while the hosts
 * are down finds the room again.
 */
export function startBrowserMesh(peerId: PeerId, app: string, signaling: readonly string[]): BrowserMesh {
  const rtc = signaling.length > 0 ? new WebrtcTransport({ peerId, room: app, signaling, iceServers: [], mesh: { k: MESH_K, maxLinks: MAX_LINKS } }) : undefined
  // Tabs of this browser reach each other over BroadcastChannel first (no network, works offline).
  const tabs = typeof BroadcastChannel === 'undefined' ? undefined : new TabTransport({ peerId, room: app })
  const parts: Transport[] = [...(tabs === undefined ? [] : [tabs]), ...(rtc === undefined ? [] : [rtc])]
  if (parts.length === 0) return { transport: undefined, rtc, stop: () => undefined }
  const relay = new RelayTransport({ inner: combineTransports(parts) })
  if (rtc === undefined) return { transport: relay, rtc, stop: () => undefined }
  rtc.useMeshSignals(relay)
  const healer = new MeshHealer({ links: rtc, mesh: relay, k: MESH_K, maxLinks: MAX_LINKS, skip: (p) => tabs?.peers().has(p) === true })
  healer.start()
  return { transport: relay, rtc, stop: () => healer.stop() }
}
