import * as bc from 'lib0/broadcastchannel'
import { WebSocket } from 'ws'
import { WebrtcProvider } from 'y-webrtc'
import * as Y from 'yjs'
import { loopbackWrtc } from './loopbackWrtc.js'
import { wrtc } from './nodePeers.js'

/** A stock y-webrtc provider in Node, and how to take it down completely. */
export interface StockProvider {
  readonly doc: Y.Doc
  readonly provider: WebrtcProvider
  /** Disconnects, destroys, and closes the BroadcastChannel y-webrtc leaves open (it would keep Node alive). */
  destroy(): Promise<void>
}

/**
 * Starts a stock y-webrtc `WebrtcProvider` on Node 20: `ws` as the global WebSocket (y-webrtc's
 * signaling client needs one), @roamhq/wrtc restricted to loopback candidates, no ICE servers;
 * with `password`, y-webrtc's own signaling encryption.
 */
export function stockProvider(room: string, signalingUrl: string, password?: string): StockProvider {
  const global = globalThis as { WebSocket?: unknown }
  global.WebSocket ??= WebSocket
  const doc = new Y.Doc()
  const provider = new WebrtcProvider(room, doc, {
    signaling: [signalingUrl],
    ...(password === undefined ? {} : { password }),
    peerOpts: { wrtc: loopbackWrtc(wrtc), config: { iceServers: [] } }
  })
  return {
    doc,
    provider,
    destroy: async () => {
      provider.disconnect()
      provider.destroy()
      doc.destroy()
      // y-webrtc publishes a last BroadcastChannel message after unsubscribing, which reopens
      // the channel; subscribing and unsubscribing once more closes it for good.
      await new Promise((resolve) => setTimeout(resolve, 50))
      bc.unsubscribe(room, bc.subscribe(room, () => {}))
    }
  }
}
