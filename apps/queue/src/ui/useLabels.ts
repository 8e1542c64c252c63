import { useSharedData } from '@sship/react'
import { useMemo } from 'react'
import { peerLabels, type PeerLabel } from '@sship/web'

/** Every peer's display label, from the shared data. */
export function useLabels(): ReadonlyMap<string, PeerLabel> {
  const data = useSharedData()
  return useMemo(() => peerLabels(data), [data])
}
