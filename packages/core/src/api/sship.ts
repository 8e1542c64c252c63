import { digest as sha256 } from 'lib0/hash/sha256'
import { codeId } from '../coordinator/AppDoc.js'
import type { ServerHandler } from '../coordinator/RequestProcessor.js'
import { ConfigError } from '../errors/errors.js'
import { Peer, type PeerOptions } from '../peer/Peer.js'
import { Connection } from './Connection.js'
import { Server } from './Server.js'

/** Options of {@link initServer}. */
export interface ServerOptions extends PeerOptions {
  /** Version of the server code. Peers with another version are not eligible. Default "0". */
  readonly version?: string
  /** Hash of the server code; defaults to a hash of `name@version`. */
  readonly codeHash?: string
  /** Shorthand for `server.onReceive(handler)`. */
  readonly onReceive?: ServerHandler
}

/** Options of {@link connect}: a transport (a new peer) or an existing peer (one device, both roles). */
export type ConnectOptions = PeerOptions | { readonly peer: Peer }

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new ConfigError('an app name must be a non-empty string of at most 200 characters')
  }
}

/**
 * Joins app `name` as an eligible server: if the app does not exist yet this peer creates it and
 * becomes its initial host; otherwise it joins the successorship list.
 */
export function initServer(name: string, options: ServerOptions): Server {
  checkName(name)
  if (options?.transport === undefined) {
    throw new ConfigError('initServer needs a transport, e.g. { transport: network.transport(id) } from @sship/core/testing or a LAN transport')
  }
  const version = options.version ?? '0'
  const hash = options.codeHash ?? hex(sha256(new TextEncoder().encode(`${name}@${version}`))).slice(0, 16)
  const server = new Server(new Peer(name, options, codeId({ name, version, hash })))
  if (options.onReceive !== undefined) server.onReceive(options.onReceive)
  return server
}

/** Joins app `name` as a client (or adds a client to an existing peer with `{ peer }`). */
export function connect(name: string, options: ConnectOptions): Connection {
  checkName(name)
  if (options !== undefined && 'peer' in options) {
    if (options.peer.name !== name) throw new ConfigError(`the peer given serves app "${options.peer.name}", not "${name}"`)
    return new Connection(options.peer)
  }
  if (options?.transport === undefined) {
    throw new ConfigError('connect needs a transport or { peer }, e.g. connect(name, { peer: server.peer })')
  }
  return new Connection(new Peer(name, options))
}

/** The proposal's API as one object: `sship.initServer(name, …)` and `sship.connect(name, …)`. */
export const sship = { initServer, connect } as const
