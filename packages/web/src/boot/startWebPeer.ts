import { connect, initServer, asPeerId, type Connection, type PeerId, type Server, type ServerHandler, type TimingOptions, type Transport } from '@sship/core'
import { SecureTransport } from '@sship/core/security'
import { combineTransports, cryptoRandom, randomHex } from '@sship/core/internals'
import { claimBrowserCandidacy, followSignaling } from '@sship/webrtc'
import { WsClientTransport } from '@sship/websocket'
import * as Y from 'yjs'
import { CONFIG_PATH, DOC_PATH, LINK_PATH, parseAppConfig, type AppConfig } from '../config/appConfig.js'
import { savedConfig, saveConfig } from '../config/savedConfig.js'
import { startBrowserMesh } from './browserMesh.js'
import { registerOfflineShell } from './offlineShell.js'
import { hostEndpoints } from '../config/HostEndpoint.js'
import { fragmentSecret } from '../config/roomFragment.js'
import { LinkStatusStore } from '../status/LinkStatusStore.js'
import { openLocalReplica, tabPeerId } from './localReplica.js'
import { watchPageLifecycle } from './pageLifecycle.js'
import { TimelineLog } from '../status/TimelineLog.js'

/** A link or frame refused by the room's `SecureTransport`: its `SecurityError` code and the peer. */
export interface SecurityRefusal {
  readonly code: string
  readonly peer: string | null
  readonly at: number
}

/** What {@link startWebPeer} needs to know about the app. */
export interface WebPeerOptions {
  /** The app's name (the sship app, the signaling room, the hub's hello). */
  readonly app: string
  /** The server code's version: peers with another version are never eligible. */
  readonly version: string
  /** The app's server code, run on this page while it holds the server role. */
  readonly serverCode: (server: Server) => ServerHandler
  /** Failure-detector timing; give every peer of the app the same (the host too). */
  readonly timing?: Partial<TimingOptions>
  /** Where the page was loaded from. Default `globalThis.location`. */
  readonly location?: Location
}

/** Everything a page runs: its peer (eligible: browsers can be the server too) and its status stores. */
export interface WebPeer {
  readonly peerId: PeerId
  /** The server side, in the one tab of this browser that stands as its candidate; other tabs are clients. */
  readonly server: Server | undefined
  readonly connection: Connection
  readonly links: LinkStatusStore
  readonly timeline: TimelineLog
  /** True if the page started from what this browser kept in IndexedDB. */
  readonly restored: boolean
  /** What the serving host said at boot; if no host answered (every host down), what one said last time; undefined if none ever did. */
  readonly config: AppConfig | undefined
  /** True if the room has a secret (links are `SecureTransport` sessions). */
  readonly secure: boolean
  /** Links and frames the room secret refused (a peer with another secret, a replay…), oldest first. */
  refusals(): readonly SecurityRefusal[]
  /** Leaves the app (page unload). */
  stop(): void
}

/** How long a page waits for its host before it starts anyway (offline, or the host is down). */
const HOST_WAIT_MS = 3000
/** Join grace of a page: it listens this long for the app before it would create one of its own. */
const PAGE_JOIN_GRACE_MS = 1500

/** Longest a page waits for its host to have the app (a host starting fresh listens 3 s for an existing one). */
const READY_WAIT_MS = 15_000
const READY_POLL_MS = 250

/** GETs `path` with a 2 s timeout; undefined on any failure. */
async function get<T>(path: string, read: (res: Response) => Promise<T>): Promise<T | undefined> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), 2000)
  try {
    const res = await fetch(path, { signal: abort.signal, cache: 'no-store' })
    return res.ok ? await read(res) : undefined
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
  }
}

/** The host's config, once it has the app (bounded wait; the last answer, or undefined, after that). */
async function fetchReadyConfig(): Promise<AppConfig | undefined> {
  const start = Date.now()
  for (;;) {
    const config = await get(CONFIG_PATH, async (res) => parseAppConfig(await res.json()))
    if (config === undefined || config.ready || Date.now() - start > READY_WAIT_MS) return config
    await new Promise((r) => setTimeout(r, READY_POLL_MS))
  }
}

/** Merges the host's replica of the document into `doc`: the page joins that app (and shows it at once). */
async function mergeHostReplica(doc: Y.Doc): Promise<void> {
  const update = await get(DOC_PATH, async (res) => new Uint8Array(await res.arrayBuffer()))
  if (update === undefined) return
  try {
    Y.applyUpdate(doc, update)
  } catch {
    // A replica that does not apply is skipped: the page syncs over its links instead.
  }
}

/**
 * Starts this page's peer, served by a `startWebHost` host: what this browser kept (IndexedDB)
 * merged with the host's replica, a WebSocket link to the host that served the page (and to every
 * other host in the shared data), WebRTC to other browsers through the hosts' signaling servers
 * (no ICE servers: nothing outside the LAN is contacted), BroadcastChannel to this browser's other
 * tabs, and `initServer` with the app's server code: any page can take over the server role.
 */
export async function startWebPeer(options: WebPeerOptions): Promise<WebPeer> {
  const { app } = options
  const location = options.location ?? globalThis.location
  // The page itself comes from cache when every host is down (a Service Worker the host serves).
  registerOfflineShell()
  const fetched = await fetchReadyConfig()
  if (fetched !== undefined) saveConfig(app, fetched)
  // Every host down: the last config this browser saw (its signaling servers come back with their host).
  const config = fetched ?? savedConfig(app)
  const secret = fragmentSecret(location.hash)
  if (config?.secure === true && secret === undefined) {
    throw new Error('this room has a secret: open the link the host printed (or its QR code), which carries it after #…&room=')
  }
  // What this browser kept (IndexedDB), then the host's replica on top. A room with a secret: the
  // host does not serve its replica, the page syncs over secure links.
  const replica = await openLocalReplica(`sship:${app}`)
  if (fetched?.ready === true && secret === undefined) await mergeHostReplica(replica.doc)
  // Tabs of one browser stand as one candidate under one GUID (Web Locks): the successorship list
  // grows by browsers, not by tabs. The other tabs are clients under GUIDs of their own.
  const fresh = (): string => `b-${randomHex(cryptoRandom, 6)}`
  const candidacy = await claimBrowserCandidacy({ app, fresh, valid: (id) => /^b-[0-9a-f]{12}$/.test(id) })
  const peerId = asPeerId(candidacy.candidate ? candidacy.browserId : tabPeerId(fresh))
  const origin = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${LINK_PATH}`
  const ws = new WsClientTransport({ peerId, app, urls: [...new Set([origin, ...(config?.hosts ?? [])])] })
  // Other browsers (capped WebRTC) and this browser's tabs, under one relay layer that heals without hosts.
  const mesh = startBrowserMesh(peerId, app, config?.signaling ?? [])
  const rtc = mesh.rtc
  const parts: Transport[] = [ws, ...(mesh.transport === undefined ? [] : [mesh.transport])]
  const combined = combineTransports(parts)
  // With a room secret every link proves it and every frame is encrypted (docs/security.md).
  const refusals: SecurityRefusal[] = []
  const security = secret === undefined ? undefined : new SecureTransport(combined, {
    secret, appName: app, onError: (error, peer) => refusals.push({ code: error.code, peer: peer ?? null, at: Date.now() })
  })
  const transport: Transport = security ?? combined
  // Join the host's app rather than create one: wait (bounded) for the first host link.
  await ws.waitForLink(HOST_WAIT_MS)
  const peerOptions = { transport, timing: { ...options.timing, joinGraceMs: PAGE_JOIN_GRACE_MS }, doc: replica.doc, mode: config?.mode ?? 'availability' }
  const server = candidacy.candidate ? initServer(app, { ...peerOptions, version: options.version }) : undefined
  // A backgrounded or frozen page hands the server role off and stands back until it is visible.
  const unwatchLifecycle = server === undefined ? () => undefined : watchPageLifecycle(server, document, window)
  if (server !== undefined) server.onReceive(options.serverCode(server))
  const connection = connect(app, server === undefined ? peerOptions : { peer: server.peer })
  const followHosts = (): void => {
    for (const endpoint of hostEndpoints(connection.data.toJSON() as Record<string, unknown>).values()) ws.addUrl(endpoint.ws)
  }
  connection.data.observe(followHosts)
  followHosts()
  // Signaling servers published in the document by hosts that started after this page loaded.
  const unfollowSignaling = rtc === undefined ? () => undefined : followSignaling(connection.peer.doc, rtc)
  const links = new LinkStatusStore(transport, ws, rtc, undefined, undefined, { secure: security !== undefined, refusals: () => refusals })
  const timeline = new TimelineLog(connection)
  return {
    peerId, server, connection, links, timeline, config, restored: replica.restored, secure: security !== undefined, refusals: () => [...refusals],
    stop: () => {
      mesh.stop()
      unwatchLifecycle()
      connection.data.unobserve(followHosts)
      unfollowSignaling()
      links.dispose()
      timeline.dispose()
      connection.close()
      // A closing tab leaves the list (its browser re-joins at the end with its next tab).
      if (server !== undefined) server.peer.leave()
      else connection.peer.stop()
      candidacy.release()
      replica.close()
    }
  }
}
