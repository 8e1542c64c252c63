import type { IncomingMessage } from 'node:http'
import type { Clock } from '@sship/core'
import WebSocket from 'ws'
import { Link, type LinkHandlers } from './Link.js'
import type { LinkBudget } from './LinkBudget.js'
import { wsUrl, type HostPort } from './peerAddress.js'

/** How {@link dialLink} opens a socket. */
export interface DialSpec {
  readonly address: HostPort
  /** The dial target's key, kept on the link. */
  readonly target: string
  readonly maxPayload: number
  readonly handshakeTimeoutMs: number
  /** The first message sent once the socket opens (our hello). */
  readonly hello: Uint8Array
}

/**
 * Opens an outbound WebSocket (no compression) as a {@link Link}: it attaches the TCP socket for
 * byte counters once upgraded, and sends the hello as soon as the socket opens.
 */
export function dialLink(spec: DialSpec, clock: Clock, handlers: LinkHandlers, budget?: LinkBudget): Link {
  const ws = new WebSocket(wsUrl(spec.address), {
    maxPayload: spec.maxPayload, perMessageDeflate: false, handshakeTimeout: spec.handshakeTimeoutMs
  })
  const link = new Link(ws, true, spec.target, clock, handlers, budget)
  ws.on('upgrade', (res: IncomingMessage) => link.attachSocket(res.socket))
  ws.on('open', () => link.send(spec.hello))
  return link
}
