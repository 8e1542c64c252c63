import { WebDataPrefix } from './dataKeys.js'

/**
 * Where a Node host serves the app, written by the host under `host:<guid>` (its own key only;
 * removed when it shuts down cleanly). Browsers dial every `ws` they find, so they stay linked
 * to all live hosts, not only to the one that served their page.
 */
export interface HostEndpoint {
  /** The page, e.g. `http://127.0.0.1:8080/`. */
  readonly http: string
  /** The browsers' WebSocket link, e.g. `ws://127.0.0.1:8080/sship`. */
  readonly ws: string
  /** The y-webrtc-compatible signaling server the host runs. */
  readonly signaling: string
  /** When the host (re)started, in its milliseconds since the epoch. */
  readonly at: number
}

/** Every well-formed host endpoint in the shared data (as JSON), by host GUID. */
export function hostEndpoints(data: Readonly<Record<string, unknown>>): Map<string, HostEndpoint> {
  const out = new Map<string, HostEndpoint>()
  for (const [key, v] of Object.entries(data)) {
    if (!key.startsWith(WebDataPrefix.host) || typeof v !== 'object' || v === null) continue
    const { http, ws, signaling, at } = v as Record<string, unknown>
    if (typeof http !== 'string' || typeof ws !== 'string' || typeof signaling !== 'string' || typeof at !== 'number') continue
    if (!/^wss?:\/\//.test(ws) || !/^wss?:\/\//.test(signaling)) continue
    out.set(key.slice(WebDataPrefix.host.length), { http, ws, signaling, at })
  }
  return out
}
