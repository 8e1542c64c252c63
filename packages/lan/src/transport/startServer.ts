import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
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
  readonly address: HostPort
}

/**
 * Starts a WebSocket server (no compression, no client tracking: the transport tracks its links)
 * and resolves once it listens; rejects with the bind error (e.g. `EADDRINUSE`).
 */
export function startServer(spec: ServerSpec): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    const server = new WebSocketServer({
      host: spec.host, port: spec.port, maxPayload: spec.maxPayload, perMessageDeflate: false, clientTracking: false
    })
    server.once('error', reject)
    server.once('listening', () => {
      server.off('error', reject)
      server.on('error', spec.error)
      const a = server.address()
      resolve({ server, address: typeof a === 'object' && a !== null ? { host: a.address, port: a.port } : { host: String(a), port: 0 } })
    })
    server.on('connection', (ws: WebSocket, req: IncomingMessage) => spec.connection(ws, req.socket))
  })
}

/** Closes `server`; resolves when it stopped (bounded by the links closing, which the transport bounds). */
export function stopServer(server: WebSocketServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}
