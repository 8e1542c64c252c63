import { useCoordinator, usePeers } from '@sship/react'
import type { ReactNode } from 'react'
import { displayName, TimelineKind } from '@sship/web'
import { useLabels } from './useLabels.js'
import { useLinkStatus } from './useLinkStatus.js'
import { useTimeline } from './useTimeline.js'

/** The timeline in plain words (the kind stays in `data-kind`). */
const KIND_TEXT: Record<string, string> = {
  [TimelineKind.Joined]: 'connected; server:',
  [TimelineKind.Resumed]: 'resumed; server:',
  [TimelineKind.Lost]: 'lost the server',
  [TimelineKind.Failover]: 'took over (the server left):',
  [TimelineKind.Failback]: 'back to the host:',
  [TimelineKind.Handoff]: 'handed over:'
}

const time = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })

/** Who serves, the epoch, the successorship list, this page's links and the failover timeline: on every screen. */
export function StatusPanel(): ReactNode {
  const snap = useCoordinator()
  const { successors, alive } = usePeers()
  const labels = useLabels()
  const links = useLinkStatus()
  const timeline = useTimeline()
  const name = (id: string | null): string => displayName(labels, id)
  const online = links.linked > 0
  const connText = online
    ? `online: ${links.hosts} host${links.hosts === 1 ? '' : 's'}, ${links.browsers} browser${links.browsers === 1 ? '' : 's'}`
    : 'offline: working locally, changes sync when a peer is back'
  return (
    <aside className="status" aria-label="Server status">
      <div className="status-row">
        <span className="label">Server</span>
        <strong data-testid="server-name" data-peer={snap.coordinator ?? ''}>
          {snap.failoverInProgress ? 'electing a successor…' : name(snap.coordinator)}
          {snap.isServer && ' (this screen)'}
        </strong>
      </div>
      <div className="status-row">
        <span className="label">Connection</span>
        <span data-testid="conn-state" data-linked={links.linked} className={online ? 'ok' : 'warn'}>{connText}</span>
      </div>
      {links.secure && (
        <div className="status-row">
          <span className="label">Room</span>
          <span data-testid="room-security" data-refused={links.refused} className={links.refused > 0 ? 'warn' : 'ok'}>
            locked with a secret{links.refused > 0 && ` · ${links.refused} refused (another secret?)`}
          </span>
        </div>
      )}
      <details className="details" data-testid="details">
        <summary>Details</summary>
        <div className="status-row">
          <span className="label">Server term (it goes up each time another device takes over)</span>
          <strong data-testid="epoch">{snap.epoch}</strong>
        </div>
        <div className="status-block">
          <span className="label">Who takes over if the server goes, in order</span>
          <ol className="successors" data-testid="successors">
            {successors.map((id) => (
              <li key={id} className={[id === snap.coordinator ? 'is-current' : '', alive.includes(id) ? '' : 'dead'].join(' ')} data-peer={id}>
                {name(id)}{id === snap.self ? ' (you)' : ''}{id === snap.initialHost ? ' · initial host' : ''}
              </li>
            ))}
          </ol>
        </div>
        <div className="status-block">
          <span className="label">Timeline</span>
          <ul className="timeline" data-testid="timeline">
            {timeline.length === 0 && <li className="muted">nothing yet</li>}
            {[...timeline].reverse().map((e, i) => (
              <li key={`${e.at}-${i}`} className={`t-${e.kind}`} data-kind={e.kind}>
                <time>{time(e.at)}</time> <b>{KIND_TEXT[e.kind]}</b>{' '}
                {e.kind === TimelineKind.Lost ? name(e.from) : e.from === null ? name(e.to) : `${name(e.from)} → ${name(e.to)}`}
                {e.kind !== TimelineKind.Lost && <span className="muted"> · term {e.epoch}</span>}
              </li>
            ))}
          </ul>
        </div>
      </details>
    </aside>
  )
}
