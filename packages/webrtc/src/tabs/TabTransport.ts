import {
  asPeerId, ConfigError, FrameError, FrameErrorCode, type Clock, type PeerId, type Transport,
  type TransportEvents
} from '@sship/core'
import { systemClock, type TimerHandle } from '@sship/core/internals'
import { MessageSealer } from '../crypto/MessageSealer.js'
import { looksSealed, openBytes, sealBytes } from '../crypto/roomCrypto.js'
import { WebrtcError, WebrtcErrorCode } from '../errors/WebrtcError.js'
import { decodeTabMessage, encodeTabBye, encodeTabFrame, encodeTabHello, TabMessageType, type TabMessage } from './tabMessages.js'
import type { TabChannel, TabChannelConstructor, TabTransportOptions } from './TabTransportOptions.js'

const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024

/** The channel every tab of `room` listens on (hellos and goodbyes). */
const roomChannelName = (room: string): string => `sship-tabs:${room}`
/** The channel only `peer` listens on (frames and answers to its hello). */
const inboxChannelName = (room: string, peer: string): string => `sship-tabs:${room}:${peer}`

const hostBroadcastChannel = (): TabChannelConstructor | undefined => {
  const ctor = (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel
  return typeof ctor === 'function' ? (ctor as TabChannelConstructor) : undefined
}

/**
 * A {@link Transport} between the tabs (and workers) of one browser, over `BroadcastChannel`:
 * each tab is a peer. A tab says `Hello` on the room's channel when it starts and every
 * heartbeat; the others answer on its own channel, so each knows the other (`peerJoined`). A tab
 * that closes says `Bye` (`peerLeft`); one that goes silent for `timeoutMs` is taken as gone.
 * Frames go on the addressee's own channel. With `password`, every message is AES-GCM-sealed.
 * Bad messages are reported to `onError` and dropped; nothing is thrown out of a handler.
 *
 * Call {@link TabTransport.close} on `pagehide`, so the other tabs hear the goodbye at once.
 */
export class TabTransport implements Transport {
  readonly localPeer: PeerId
  private readonly clock: Clock
  private readonly Channel: TabChannelConstructor
  private readonly sealer: MessageSealer<Uint8Array, Uint8Array>
  private readonly joined = new Set<PeerId>()
  private readonly lastHeard = new Map<PeerId, number>()
  /** Channels to other tabs' inboxes, opened on first use. */
  private readonly outboxes = new Map<PeerId, TabChannel>()
  private readonly heartbeatMs: number
  private readonly timeoutMs: number
  private readonly maxFrameBytes: number
  private room: TabChannel | undefined
  private inbox: TabChannel | undefined
  private timer: TimerHandle | undefined
  private events: TransportEvents | undefined
  private closed = false

  /** Throws {@link ConfigError} if there is no BroadcastChannel or the timing is inconsistent. */
  constructor(private readonly options: TabTransportOptions) {
    this.localPeer = options.peerId
    this.clock = options.clock ?? systemClock
    const Channel = options.BroadcastChannel ?? hostBroadcastChannel()
    if (Channel === undefined) throw new ConfigError('TabTransport needs BroadcastChannel (every current browser and Node 18+ have it)')
    this.Channel = Channel
    this.heartbeatMs = options.heartbeatMs ?? 1000
    this.timeoutMs = options.timeoutMs ?? 5000
    if (!(this.heartbeatMs > 0) || !(this.timeoutMs > this.heartbeatMs)) {
      throw new ConfigError(`TabTransport needs 0 < heartbeatMs (${this.heartbeatMs}) < timeoutMs (${this.timeoutMs})`)
    }
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.sealer = new MessageSealer<Uint8Array, Uint8Array>({
      password: options.password,
      room: options.room,
      seal: sealBytes,
      open: (wire, key) => wire instanceof Uint8Array
        ? openBytes(wire, key)
        : Promise.resolve({ ok: false, error: new WebrtcError(WebrtcErrorCode.BadPassword, 'a tab message that is not bytes, in a room with a password') }),
      onError: (error) => this.report(error, undefined)
    })
  }

  connect(events: TransportEvents): void {
    if (this.closed || this.events !== undefined) return
    this.events = events
    this.inbox = this.listen(inboxChannelName(this.options.room, this.localPeer))
    this.room = this.listen(roomChannelName(this.options.room))
    this.post(this.room, encodeTabHello(this.localPeer, true))
    this.scheduleHeartbeat()
  }

  send(to: PeerId, data: Uint8Array): void {
    if (this.closed || !this.joined.has(to)) return
    this.post(this.outbox(to), encodeTabFrame(this.localPeer, data))
  }

  peers(): ReadonlySet<PeerId> {
    return this.joined
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    const room = this.room
    if (room !== undefined) this.post(room, encodeTabBye(this.localPeer))
    this.sealer.close()
    const channels = [room, this.inbox, ...this.outboxes.values()]
    this.outboxes.clear()
    this.joined.clear()
    this.lastHeard.clear()
    // After the goodbye has gone out (sealing it may take a moment).
    void this.sealer.idle().then(() => {
      for (const channel of channels) channel?.close()
    })
  }

  private listen(name: string): TabChannel {
    const channel = new this.Channel(name)
    channel.onmessage = (event) => this.onWire(event.data)
    channel.onmessageerror = () => this.report(new WebrtcError(WebrtcErrorCode.Malformed, 'a tab message could not be deserialized'), undefined)
    return channel
  }

  private outbox(to: PeerId): TabChannel {
    let channel = this.outboxes.get(to)
    if (channel === undefined) {
      channel = new this.Channel(inboxChannelName(this.options.room, to))
      this.outboxes.set(to, channel)
    }
    return channel
  }

  private post(channel: TabChannel, message: Uint8Array): void {
    this.sealer.send(message, (wire) => {
      try {
        channel.postMessage(wire)
      } catch {
        // the channel was closed meanwhile (this tab closed, or that peer left)
      }
    })
  }

  private onWire(data: unknown): void {
    if (this.closed) return
    if (!this.sealer.sealed && data instanceof Uint8Array && looksSealed(data)) {
      this.report(new WebrtcError(WebrtcErrorCode.BadPassword, 'an encrypted tab message, and this tab has no password'), undefined)
      return
    }
    this.sealer.receive(data, (message) => {
      try {
        this.onMessage(message)
      } catch (error) {
        this.report(error instanceof Error ? error : new Error(String(error)), undefined)
      }
    })
  }

  private onMessage(data: unknown): void {
    if (this.closed) return
    if (!(data instanceof Uint8Array)) {
      this.report(new WebrtcError(WebrtcErrorCode.Malformed, 'a tab message that is not bytes'), undefined)
      return
    }
    const decoded = decodeTabMessage(data)
    if (!decoded.ok) {
      this.report(decoded.error, undefined)
      return
    }
    const message: TabMessage = decoded.value
    const from = asPeerId(message.from)
    if (from === this.localPeer) return
    switch (message.type) {
      case TabMessageType.Hello: return this.onHello(from, message.fresh)
      case TabMessageType.Bye: return this.leave(from)
      case TabMessageType.Frame: {
        if (!this.joined.has(from)) return
        this.lastHeard.set(from, this.clock.now())
        if (message.bytes.byteLength > this.maxFrameBytes) {
          this.report(new FrameError(FrameErrorCode.Oversized, `a tab frame of ${message.bytes.byteLength} bytes exceeds ${this.maxFrameBytes}`), from)
          return
        }
        this.events?.frame(from, message.bytes.slice())
      }
    }
  }

  private onHello(from: PeerId, fresh: boolean): void {
    this.lastHeard.set(from, this.clock.now())
    const known = this.joined.has(from)
    // A fresh Hello from a tab we hold as joined: it restarted under the same id, so it lost us.
    if (known && fresh) this.leave(from)
    if (!known || fresh) {
      this.post(this.outbox(from), encodeTabHello(this.localPeer, false))
      this.lastHeard.set(from, this.clock.now())
      this.joined.add(from)
      this.events?.peerJoined(from)
    }
  }

  private leave(peer: PeerId): void {
    this.lastHeard.delete(peer)
    const channel = this.outboxes.get(peer)
    this.outboxes.delete(peer)
    if (channel !== undefined) void this.sealer.idle().then(() => channel.close())
    if (this.joined.delete(peer)) this.events?.peerLeft(peer)
  }

  private scheduleHeartbeat(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      if (this.closed) return
      const now = this.clock.now()
      for (const [peer, heard] of this.lastHeard) if (now - heard > this.timeoutMs) this.leave(peer)
      if (this.room !== undefined) this.post(this.room, encodeTabHello(this.localPeer, false))
      this.scheduleHeartbeat()
    }, this.heartbeatMs)
  }

  private report(error: Error, peer: PeerId | undefined): void {
    if (this.closed) return
    try {
      this.options.onError?.(error, peer)
    } catch {
      // an error callback that throws has nowhere left to report to
    }
  }
}
