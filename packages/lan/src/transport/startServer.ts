import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http'
import type { Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { HTTP_LIMITS } from './httpLimits.js'
import type { HostPort } from './peerAddress.js'

/** What {@link startServer} needs. */
export interface ServerSpec {
  readonly host: string
  /** 0 for an ephemeral port. */
  readonly port: number
  /** Largest message accepted, in bytes. */
  readonly maxPayload: number
  /** A client connected: its WebSocket and the TCP socket under it (for byte counters). */
  readonly connection: (ws: WebSocket, socket: Socket) => void
  /** A server error after it started listening. */
  readonly error: (error: Error) => void
}

/** A listening WebSocket server and the address it is bound to. */
export interface StartedServer {
  readonly server: WebSocketServer
  /** The HTTP server under it (with {@link HTTP_LIMITS}). */
  readonly http: HttpServer
  readonly address: HostPort
}

/**
 * Starts a WebSocket server (no compression, no client tracking: the transport tracks its links)
 * on an HTTP server with {@link HTTP_LIMITS}, and resolves once it listens; rejects with the
 * bind error (e.g. `EADDRINUSE`). Plain HTTP requests get 426, malformed ones 400.
 */
export function startServer(spec: ServerSpec): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    const http = createServer(HTTP_LIMITS, (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('this port speaks WebSocket (sship peer links)\n')
    })
    http.on('clientError', (error, socket) => {
      // Answered, then destroyed: a client that does not read (a slowloris) must not keep the socket half-open.
      const status = (error as { code?: string }).code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy())
      else socket.destroy()
    })
    const server = new WebSocketServer({ server: http, maxPayload: spec.maxPayload, perMessageDeflate: false, clientTracking: false })
    server.on('error', spec.error)
    http.once('error', reject)
    http.listen({ host: spec.host, port: spec.port }, () => {
      http.off('error', reject)
      http.on('error', spec.error)
      const a = http.address()
      resolve({ server, http, address: typeof a === 'object' && a !== null ? { host: a.address, port: a.port } : { host: String(a), port: 0 } })
    })
    server.on('connection', (ws: WebSocket, req: IncomingMessage) => spec.connection(ws, req.socket))
  })
}

/** Closes `started`; resolves when it stopped (bounded by the links closing, which the transport bounds). */
export function stopServer(started: StartedServer): Promise<void> {
  return new Promise((resolve) => {
    started.server.close()
    started.http.closeIdleConnections()
    started.http.close(() => resolve())
  })
}
