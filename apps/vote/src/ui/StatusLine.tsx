import { useCoordinator, useSharedData } from '@sship/react'
import { displayName, peerLabels } from '@sship/web'
import type { ReactNode } from 'react'

/** Who decides the votes now, in plain words (the vote goes on when that changes). */
export function StatusLine(): ReactNode {
  const snap = useCoordinator()
  const labels = peerLabels(useSharedData() as Record<string, unknown>)
  const who = snap.failoverInProgress ? 'the server left: another device is taking over…'
    : snap.coordinator === null ? 'looking for the class…'
      : `votes are counted by ${displayName(labels, snap.coordinator)}${snap.isServer ? ' (this screen)' : ''}`
  return <p className="status" data-testid="server-name" data-peer={snap.coordinator ?? ''} data-epoch={snap.epoch}>{who}</p>
}
