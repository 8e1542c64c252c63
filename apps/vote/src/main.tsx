import { SshipProvider } from '@sship/react'
import { startWebPeer, type WebPeer } from '@sship/web'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { VOTE_APP, VOTE_CODE_VERSION, VOTE_TIMING, voteServer } from './server/voteServer.js'
import { App } from './ui/App.js'
import { voterId } from './voter.js'
import './styles.css'

declare global {
  interface Window {
    /** Read-only views of this page's peer, for debugging and the end-to-end test. */
    __sshipVote?: { readonly peerId: string; readonly voter: string; snapshot(): unknown; state(): unknown; linked(): number }
  }
}

const root = createRoot(document.getElementById('root') as HTMLElement)
root.render(<p className="boot">Connecting…</p>)

startWebPeer({ app: VOTE_APP, version: VOTE_CODE_VERSION, timing: VOTE_TIMING, serverCode: voteServer }).then((peer: WebPeer) => {
  const voter = voterId()
  window.__sshipVote = { peerId: peer.peerId, voter, snapshot: () => peer.connection.getSnapshot(), state: () => peer.connection.getState(), linked: () => peer.links.getSnapshot().linked }
  addEventListener('pagehide', () => peer.stop())
  root.render(
    <StrictMode>
      <SshipProvider connection={peer.connection} server={peer.server}>
        <App voter={voter} />
      </SshipProvider>
    </StrictMode>
  )
}, (error: unknown) => {
  root.render(<p className="boot warn">Could not start: {String(error)}</p>)
})
