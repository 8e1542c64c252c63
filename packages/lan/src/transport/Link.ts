import type { Socket } from 'node:net'
import type { Clock, PeerId } from '@sship/core'
import { TokenBucket, type TimerHandle } from '@sship/core/internals'
import { CloseCode } from './CloseCode.js'
import { DEFAULT_LINK_BUDGET, type LinkBudget } from './LinkBudget.js'
import type WebSocket from 'ws'
import type { Hello } from './hello.js'

/** Lifecycle of a {@link Link}. */
export const LinkState = {
  /** Socket opening or hello not yet exchanged. */
  Handshaking: 'handshaking',
  /** The peer's current link: frames are sent on it. */
  Open: 'open',
  /** Replaced by another link to the same peer, or rejected as a duplicate after the hello: closing, still delivering what arrives. */
  Retired: 'retired',
  /** Closed. Final. */
  Closed: 'closed'
} as const
/** One of {@link LinkState}'s values. */
export type LinkState = (typeof LinkState)[keyof typeof LinkState]

/** What a {@link Link} reports to its transport. */
export interface LinkHandlers {
  /** A binary message arrived. */
  message(link: Link, data: Uint8Array): void
  /** The socket closed (once). */
  closed(link: Link, code: number, reason: string): void
  /** A socket error (the close follows). */
  error(link: Link, error: Error): void
}

/** How long a graceful close may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000

/**
 * One WebSocket between two peers, from either side: its handshake state, who dialed it, a
 * keepalive (ping every `keepaliveMs`, destroyed if no pong came back by the next one) and the
 * byte counters of the TCP socket under it.
 */
export class Link {
  /** Where the link is in its lifecycle. */
  state: LinkState = LinkState.Handshaking
  /** The other side's hello, once received. */
  remote: Hello | undefined
  /** True once the handshake completed (the link was some peer's current link). */
  wasOpen = false
  /** When the handshake completed (clock time), or undefined. */
  openedAt: number | undefined
  /** When anything (a message or a pong) last arrived. */
  lastHeardAt: number
  /** Raw-socket bytes, frozen when the socket goes away. */
  private frozen: { in: number; out: number } | undefined
  private socket: Socket | undefined
  private keepalive: TimerHandle | undefined
  /** True once this end gave the link up because the other stopped answering pings (not because it closed). */
  gaveUp = false
  private handshakeTimer: TimerHandle | undefined
  private ponged = true
  private closeRequested = false
  private readonly inbound: TokenBucket

  /**
   * @param outbound True if this side dialed.
   * @param target The dial target this link serves (outbound links only), an opaque key.
   */
  constructor(
    readonly ws: WebSocket,
    readonly outbound: boolean,
    readonly target: string | undefined,
    private readonly clock: Clock,
    private readonly handlers: LinkHandlers,
    private readonly budget: LinkBudget = DEFAULT_LINK_BUDGET
  ) {
    this.lastHeardAt = clock.now()
    this.inbound = new TokenBucket(budget.frames, clock)
    ws.binaryType = 'nodebuffer'
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.state === LinkState.Closed) return
      this.lastHeardAt = this.clock.now()
      if (!this.inbound.take()) {
        // Closed, not throttled: reading on while dropping would still cost us every frame's decode.
        this.close(CloseCode.TooManyFrames, `over ${budget.frames.perSecond} frames/s`)
        return
      }
      // Copied: the receiver owns the bytes from now on, and ws may hand out views of a larger chunk.
      if (isBinary) this.handlers.message(this, new Uint8Array(data))
    })
    ws.on('pong', () => {
      this.ponged = true
      this.lastHeardAt = this.clock.now()
    })
    ws.on('error', (error: Error) => this.handlers.error(this, error))
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString('utf8')))
  }

  /** The TCP socket under the WebSocket, for byte counters (set by the transport once known). */
  attachSocket(socket: Socket | undefined): void {
    this.socket ??= socket
  }

  /** GUID of the side that dialed (known once the hello arrived). */
  dialer(self: PeerId): PeerId | undefined {
    return this.outbound ? self : this.remote?.peerId
  }

  /** Bytes read from the TCP socket (WebSocket framing and HTTP upgrade included). */
  get bytesIn(): number {
    return this.frozen?.in ?? this.socket?.bytesRead ?? 0
  }

  /** Bytes written to the TCP socket. */
  get bytesOut(): number {
    return this.frozen?.out ?? this.socket?.bytesWritten ?? 0
  }

  /** Bytes waiting to be sent on this link. */
  get queuedBytes(): number {
    return this.ws.bufferedAmount
  }

  /**
   * Sends one binary message; false if the socket is not open, or if the other side left more
   * than the budget's `maxQueuedBytes` unread (then the link is closed with
   * {@link CloseCode.SendQueueFull}: a reader that does not read is dropped, not buffered for).
   */
  send(data: Uint8Array): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false
    if (this.ws.bufferedAmount > this.budget.maxQueuedBytes) {
      this.close(CloseCode.SendQueueFull, `send queue over ${Math.round(this.budget.maxQueuedBytes / 1048576)} MiB: not reading`)
      return false
    }
    this.ws.send(data, { binary: true })
    return true
  }

  /** Sends a ping now (the pong updates {@link Link.lastHeardAt}): a quick liveness probe. */
  probe(): void {
    try {
      this.ws.ping()
    } catch {
      // The close event follows.
    }
  }

  /** Destroys the link unless a hello arrives within `ms`. */
  armHandshakeTimeout(ms: number, onTimeout: () => void): void {
    this.handshakeTimer = this.clock.setTimeout(() => {
      this.handshakeTimer = undefined
      if (this.state === LinkState.Handshaking) onTimeout()
    }, ms)
  }

  /** Records who is on the other side (before deciding whether to keep the link). */
  identify(hello: Hello): void {
    this.remote = hello
  }

  /** Marks the handshake done and starts the keepalive. */
  open(hello: Hello, keepaliveMs: number): void {
    this.remote = hello
    this.state = LinkState.Open
    this.wasOpen = true
    this.openedAt = this.clock.now()
    this.clearHandshakeTimer()
    if (keepaliveMs > 0) this.scheduleKeepalive(keepaliveMs)
  }

  /** Closes with a WebSocket close frame; destroys the socket if the close handshake stalls. */
  close(code: number, reason: string): void {
    if (this.state === LinkState.Closed || this.closeRequested) return
    this.closeRequested = true
    if (this.state === LinkState.Open) this.state = LinkState.Retired
    this.clearHandshakeTimer()
    try {
      this.ws.close(code, reason)
    } catch {
      this.ws.terminate()
    }
    // A peer that does not read never completes the close handshake either: the grace bounds it.
    this.clock.setTimeout(() => {
      if (this.state !== LinkState.Closed) this.ws.terminate()
    }, CLOSE_GRACE_MS)
  }

  /** Destroys the socket at once, without a close frame (as a crash or a cut cable would). */
  terminate(): void {
    this.ws.terminate()
  }

  private scheduleKeepalive(ms: number): void {
    this.keepalive = this.clock.setTimeout(() => {
      this.keepalive = undefined
      if (this.state === LinkState.Closed) return
      if (!this.ponged) {
        this.gaveUp = true
        this.terminate()
        return
      }
      this.ponged = false
      try {
        this.ws.ping()
      } catch {
        // The close event follows.
      }
      this.scheduleKeepalive(ms)
    }, ms)
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) this.clock.clearTimeout(this.handshakeTimer)
    this.handshakeTimer = undefined
  }

  private onClose(code: number, reason: string): void {
    if (this.state === LinkState.Closed) return
    this.state = LinkState.Closed
    this.frozen = { in: this.socket?.bytesRead ?? 0, out: this.socket?.bytesWritten ?? 0 }
    this.socket = undefined
    this.clearHandshakeTimer()
    if (this.keepalive !== undefined) this.clock.clearTimeout(this.keepalive)
    this.keepalive = undefined
    this.handlers.closed(this, code, reason)
  }
}
