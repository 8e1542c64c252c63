/**
 * What the host tells a page about the app (`GET /sship-config.json`): the signaling servers and
 * host links it knows of, from its replica of the shared data. A page that cannot fetch it still
 * dials its own origin.
 */
export interface AppConfig {
  readonly app: string
  /** The GUID of the host that served the page. */
  readonly host: string
  /** Signaling URLs of every live host the serving host knows. */
  readonly signaling: readonly string[]
  /** Host link URLs (`ws://…/sship`) of every live host the serving host knows. */
  readonly hosts: readonly string[]
  /**
   * True once the serving host has the app (it joined one, or created it after its join grace).
   * A page waits for it, so that it joins the host's app instead of creating one of its own.
   */
  readonly ready: boolean
  /**
   * True if the room has a secret: every link is a `SecureTransport` session, the page needs the
   * secret (from the link's `#…&room=` fragment), and the host does not serve its replica.
   */
  readonly secure: boolean
  /** The app's own settings from its host (`startWebHost({ settings })`), e.g. display options. */
  readonly settings: Readonly<Record<string, unknown>>
  /** The room's mode (the host's `--mode`): every peer of a room must use the same. Default availability. */
  readonly mode: 'availability' | 'quorum'
}

/** The path of the config document. */
export const CONFIG_PATH = '/sship-config.json'
/** The path of the host's replica of the document (a Yjs update), which a page starts from. */
export const DOC_PATH = '/sship-doc'
/** The path of the Service Worker a host serves, which keeps the page in cache for when every host is down. */
export const OFFLINE_SHELL_PATH = '/sship-sw.js'
/** The path of the browsers' WebSocket links on a host's HTTP port. */
export const LINK_PATH = '/sship'

/** Parses a config; undefined if it is not one. */
export function parseAppConfig(value: unknown): AppConfig | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { app, host, signaling, hosts, ready, secure, settings, mode } = value as Record<string, unknown>
  const urls = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.every((u) => typeof u === 'string' && /^wss?:\/\//.test(u)) ? (v as string[]) : undefined
  const s = urls(signaling)
  const h = urls(hosts)
  if (typeof app !== 'string' || typeof host !== 'string' || s === undefined || h === undefined) return undefined
  const own = typeof settings === 'object' && settings !== null && !Array.isArray(settings) ? (settings as Record<string, unknown>) : {}
  return { app, host, signaling: s, hosts: h, ready: ready !== false, secure: secure === true, settings: own, mode: mode === 'quorum' ? 'quorum' : 'availability' }
}
