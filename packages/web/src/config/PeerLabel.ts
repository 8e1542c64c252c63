import { WebDataKey, WebDataPrefix } from './dataKeys.js'

/** How a peer wants to be shown on every screen (`peer:<guid>`, written by that peer only). */
export interface PeerLabel {
  readonly name: string
  readonly kind: 'host' | 'browser'
}

/** Every well-formed label in the shared data (as JSON), by GUID. */
export function peerLabels(data: Readonly<Record<string, unknown>>): Map<string, PeerLabel> {
  const out = new Map<string, PeerLabel>()
  for (const [key, v] of Object.entries(data)) {
    if (!key.startsWith(WebDataPrefix.peer) || typeof v !== 'object' || v === null) continue
    const { name, kind } = v as Record<string, unknown>
    if (typeof name === 'string' && (kind === 'host' || kind === 'browser')) out.set(key.slice(WebDataPrefix.peer.length), { name: name.slice(0, 60), kind })
  }
  return out
}

/** Writes this peer's own label. */
export function setPeerLabel(data: { set(key: string, value: unknown): unknown }, guid: string, label: PeerLabel): void {
  data.set(WebDataKey.peer(guid), label)
}

/** A short, readable name for a peer: its label; a browser that gave no name yet is called so, not by its GUID. */
export function displayName(labels: ReadonlyMap<string, PeerLabel>, guid: string | null): string {
  if (guid === null) return 'none'
  const label = labels.get(guid)
  if (label !== undefined) return label.name
  return guid.startsWith('b-') ? 'a browser with no name yet' : guid.slice(0, 12)
}
