import { SshipProvider } from '@sship/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { startWebPeer, type WebPeer } from '@sship/web'
import { QUEUE_APP, QUEUE_CODE_VERSION, QUEUE_TIMING, queueServer } from './server/queueServer.js'
import { App } from './ui/App.js'
import { QueuePeerContext } from './ui/QueuePeerContext.js'
import './styles.css'

declare global {
  interface Window {
    /** Read-only views of this page's peer, for debugging and the end-to-end test. */
    __sshipQueue?: { readonly peerId: string; snapshot(): unknown; state(): unknown; data(): unknown; timeline(): unknown; refusals(): unknown; links(): unknown; readonly restored: boolean }
  }
}

const root = createRoot(document.getElementById('root') as HTMLElement)
root.render(<p className="boot">Connecting…</p>)

startWebPeer({ app: QUEUE_APP, version: QUEUE_CODE_VERSION, timing: QUEUE_TIMING, serverCode: queueServer }).then((peer: WebPeer) => {
  window.__sshipQueue = {
    peerId: peer.peerId,
    snapshot: () => peer.connection.getSnapshot(),
    state: () => peer.connection.getState(),
    data: () => peer.connection.data.toJSON(),
    timeline: () => peer.timeline.getSnapshot(),
    refusals: () => peer.refusals(),
    links: () => peer.links.getSnapshot(),
    restored: peer.restored
  }
  addEventListener('pagehide', () => peer.stop())
  root.render(
    <StrictMode>
      <QueuePeerContext.Provider value={peer}>
        <SshipProvider connection={peer.connection} server={peer.server}>
          <App />
        </SshipProvider>
      </QueuePeerContext.Provider>
    </StrictMode>
  )
}, (error: unknown) => {
  root.render(<p className="boot warn">Could not start: {String(error)}</p>)
})
