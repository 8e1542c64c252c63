import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type Server as HttpServer } from 'node:http'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { hostname } from 'node:os'
import { asPeerId, connect, initServer, type Connection, type PeerId, type Server, type ServerHandler, type TimingOptions, type Transport } from '@sship/core'
import { SecureTransport } from '@sship/core/security'
import { combineTransports } from '@sship/core/internals'
import { HTTP_LIMITS, joinLan, lanTiming, type LanPeer } from '@sship/lan'
import { openDocLog, type DocLog } from '@sship/persist'
import { publishSignaling } from '@sship/webrtc'
import { SignalingServer } from '@sship/webrtc/server'
import { WsHubTransport } from '@sship/websocket/server'
import * as Y from 'yjs'
import { CONFIG_PATH, DOC_PATH, LINK_PATH, OFFLINE_SHELL_PATH, type AppConfig } from '../config/appConfig.js'
import { WebDataKey } from '../config/dataKeys.js'
import { hostEndpoints, type HostEndpoint } from '../config/HostEndpoint.js'
import { setPeerLabel } from '../config/PeerLabel.js'
import { offlineShellScript } from './offlineShellScript.js'
import { requestPath } from './requestPath.js'
import { serveStatic } from './staticFiles.js'

/** Options of {@link startWebHost}: the app, and the host's flags (resolved, see `parseHostArgs`). */
export interface WebHostOptions {
  /** The app's name (the sship app, the mDNS service's `app=`, the signaling room). */
  readonly app: string
  /** The server code's version: peers with another version are never eligible. */
  readonly version: string
  /** The app's server code, run on this host while it holds the server role. */
  readonly serverCode: (server: Server) => ServerHandler
  /** Failure-detector timing (LAN defaults are applied on top); give the pages the same. */
  readonly timing?: Partial<TimingOptions>
  /** The app's own settings, served to pages in `/sship-config.json` (`WebPeer.config.settings`). Public: no secrets. */
  readonly settings?: Readonly<Record<string, unknown>>
  /** Address to bind everything to and advertise; undefined with `lan`. */
  readonly interface: string | undefined
  readonly lan: boolean
  readonly port: number
  readonly signalingPort: number
  readonly id: string | undefined
  readonly mdns: boolean
  readonly mdnsPort: number
  readonly holdDownMs: number
  /** Availability (default) or quorum mode; every peer of the room must use the same (pages read it from the config). */
  readonly mode?: 'availability' | 'quorum'
  /** Directory of the built page. */
  readonly dist: string
  /** Keep the document and the GUID in this directory (`@sship/persist`); `id`, when given, must match the one kept there. */
  readonly dataDir?: string | undefined
  /**
   * The room secret, if the room has one: every link (other hosts, browsers) must prove it and
   * is encrypted, pages need it in their link's fragment, and the host does not serve its replica.
   */
  readonly secret?: string
  /** Links and frames the room secret refused (another secret, a replay…); the host keeps serving. */
  readonly onRefused?: (code: string, peer: string | undefined, message: string) => void
  /** Errors of sockets, links and discovery; the host keeps running. */
  readonly onError?: (error: Error) => void
}

/** A running host. */
export interface WebHost {
  readonly peerId: PeerId
  /** The page's URL. */
  readonly url: string
  readonly endpoint: HostEndpoint
  readonly server: Server
  readonly connection: Connection
  readonly lan: LanPeer
  readonly hub: WsHubTransport
  /** Leaves cleanly: removes its endpoint, closes every link and socket, sends the mDNS goodbye. Idempotent. */
  close(): Promise<void>
}

/** How long a starting host listens for an existing app before it creates one (browsers redial within about 1 s). */
const HOST_JOIN_GRACE_MS = 3000
/** Time for the endpoint's removal to reach the peers before the links close. */
const GOODBYE_SYNC_MS = 200

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Starts an app's Node host: joins the LAN (mDNS + WebSockets to other hosts), serves the built
 * page and browsers' links (`/sship`, a `WsHubTransport`) on one HTTP port, answers
 * `/sship-config.json` and `/sship-doc` for `startWebPeer`, runs a WebRTC signaling server for
 * browsers, and joins the app as an eligible peer running the app's server code.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const app = options.app
  const report = (error: unknown): void => options.onError?.(error instanceof Error ? error : new Error(String(error)))
  const defaultId = asPeerId(options.id ?? `host-${hostname().replace(/[^A-Za-z0-9-]/g, '').slice(0, 40) || 'node'}-${options.port}`)
  // With a data directory the document (entries, decisions, pending requests) and the GUID survive restarts.
  const log: DocLog | undefined = options.dataDir === undefined ? undefined : openDocLog(options.dataDir, options.id === undefined ? {} : { peerId: defaultId })
  const peerId = log?.peerId ?? defaultId
  const lan = await joinLan(app, {
    ...(options.lan ? { lan: true } : { interface: options.interface ?? '127.0.0.1' }),
    peerId, mdns: options.mdns, mdnsPort: options.mdnsPort,
    onError: report
  })
  const iface = lan.interface
  const hub = new WsHubTransport({ peerId, app: app, onError: report })
  const combined = combineTransports([lan.transport, hub])
  const transport: Transport = options.secret === undefined ? combined : new SecureTransport(combined, {
    secret: options.secret, appName: app, onError: (error, peer) => options.onRefused?.(error.code, peer, error.message)
  })
  const server = initServer(app, {
    transport,
    version: options.version,
    timing: lanTiming({ ...options.timing, holdDownMs: options.holdDownMs, joinGraceMs: HOST_JOIN_GRACE_MS }),
    // A Node host does not sleep like a phone: it takes the role back after a hold-down.
    stable: true,
    mode: options.mode ?? 'availability',
    onError: (error) => report(error),
    ...(log === undefined ? {} : { doc: log.doc })
  })
  server.onReceive(options.serverCode(server))
  const conn = connect(app, { peer: server.peer })

  const http = createServer(HTTP_LIMITS, (req, res) => {
    const path = requestPath(req.url)
    if (path === undefined) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request path\n')
      return
    }
    if (path === CONFIG_PATH) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(configFor()))
      return
    }
    if (path === OFFLINE_SHELL_PATH) {
      shellCacheName(options.dist, options.version).then((name) => {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }).end(offlineShellScript(name))
      }, () => res.writeHead(500).end())
      return
    }
    if (path === DOC_PATH && options.secret !== undefined) {
      // The replica is only for members: pages of a room with a secret sync over secure links.
      res.writeHead(403, { 'content-type': 'text/plain' }).end('this room has a secret: the replica syncs only over authenticated links')
      return
    }
    if (path === DOC_PATH) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' }).end(Y.encodeStateAsUpdate(conn.doc))
      return
    }
    serveStatic(options.dist, path, req, res).catch((error: unknown) => {
      report(error)
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    })
  })
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    if (requestPath(req.url) === LINK_PATH) hub.handleUpgrade(req, socket, head)
    // WebSocket links live at LINK_PATH only: an upgrade anywhere else is a bad request.
    else socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', () => socket.destroy())
  })
  // An HTTP-level error (a malformed request, a reset) closes that one socket, never the host.
  http.on('clientError', (error, socket) => {
    // Answered, then destroyed: a client that does not read (a slowloris) must not keep the socket half-open.
    const status = (error as { code?: string }).code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy())
    else socket.destroy()
  })
  let signaling: SignalingServer | undefined
  try {
    signaling = await SignalingServer.start({ host: iface, port: options.signalingPort })
    // Listen last: the endpoint is defined before any request can be handled (no await in between).
    await listen(http, iface, options.port)
  } catch (error) {
    await signaling?.close()
    conn.close()
    server.stop()
    await lan.close()
    log?.close()
    throw error
  }
  const sig = signaling
  const port = (http.address() as AddressInfo).port
  const host = iface.includes(':') ? `[${iface}]` : iface
  const endpoint: HostEndpoint = { http: `http://${host}:${port}/`, ws: `ws://${host}:${port}${LINK_PATH}`, signaling: sig.url, at: Date.now() }
  conn.doc.transact(() => {
    conn.data.set(WebDataKey.host(peerId), endpoint)
    setPeerLabel(conn.data, peerId, { name: `host ${hostname().slice(0, 24)}:${port}`, kind: 'host' })
  })
  // Every page keeps every host's signaling server (learnt from the document), so browsers still
  // find each other after the host that served them is gone.
  const unpublishSignaling = publishSignaling(conn.doc, peerId, sig.url)

  function configFor(): AppConfig {
    const known = hostEndpoints(conn.data.toJSON() as Record<string, unknown>)
    known.set(peerId, endpoint)
    const others = [...known.entries()].filter(([id]) => id !== peerId).map(([, e]) => e)
    return {
      app, host: peerId, ready: conn.getSnapshot().successors.length > 0, secure: options.secret !== undefined, mode: options.mode ?? 'availability',
      signaling: [endpoint.signaling, ...others.map((e) => e.signaling)], hosts: [endpoint.ws, ...others.map((e) => e.ws)],
      settings: options.settings ?? {}
    }
  }

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (!server.peer.isStopped) {
        conn.data.delete(WebDataKey.host(peerId))
        unpublishSignaling()
        await sleep(GOODBYE_SYNC_MS)
      }
      conn.close()
      server.stop()
      await lan.close()
      await sig.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      log?.close()
    })()
    return closing
  }
  return { peerId, url: endpoint.http, endpoint, server, connection: conn, lan, hub, close }
}

function listen(http: HttpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen({ host, port }, () => {
      http.off('error', reject)
      resolve()
    })
  })
}

/** The offline shell's cache name: changes with the built page (its `index.html` names the hashed assets). */
async function shellCacheName(dist: string, version: string): Promise<string> {
  const html = await readFile(join(dist, 'index.html'), 'utf8').catch(() => '')
  return `sship-shell-${version}-${createHash('sha256').update(html).digest('hex').slice(0, 12)}`
}
