import { FrameError, FrameErrorCode, type Clock, type PeerId } from '@sship/core'
import type { TimerHandle } from '@sship/core/internals'
import SimplePeer from '#simple-peer'
import { filterSignal, type CandidateFilter } from '../ice/candidateFilter.js'
import type { SignalPayload } from '../signaling/signalingMessages.js'
import { FrameAssembler } from './FrameAssembler.js'
import { decodeLinkMessage, encodeBye, encodeFrame, encodeHello, LinkMessageType } from './linkMessages.js'

/** Where a {@link PeerLink} stands. */
export const LinkState = {
  /** Negotiating, or waiting for the remote's `Hello`. */
  Connecting: 'connecting',
  /** Both `Hello`s exchanged: frames flow. */
  Open: 'open',
  /** Gone for good; a new link is needed. */
  Closed: 'closed'
} as const
/** One of {@link LinkState}'s values. */
export type LinkState = (typeof LinkState)[keyof typeof LinkState]

/** What a {@link PeerLink} reports. Handlers must not throw. */
export interface PeerLinkEvents {
  /** A signal to relay to the remote through signaling (already filtered). */
  signal(link: PeerLink, signal: SignalPayload): void
  /** The link is open. */
  open(link: PeerLink): void
  /** A whole frame arrived. */
  frame(link: PeerLink, data: Uint8Array): void
  /** The link closed (remote goodbye, channel closed, failed negotiation or timeout). Not reported for {@link PeerLink.close}. */
  closed(link: PeerLink, why: string): void
  /** Something went wrong on the link (a bad message, a WebRTC error); the link reports `closed` if it cannot go on. */
  error(link: PeerLink, error: Error): void
}

/** What a {@link PeerLink} needs. */
export interface PeerLinkOptions {
  readonly self: PeerId
  readonly remote: PeerId
  /** Whether this side makes the offer. */
  readonly initiator: boolean
  /** A WebRTC implementation for Node (`@roamhq/wrtc`); browsers use their own when undefined. */
  readonly wrtc: object | undefined
  readonly iceServers: readonly RTCIceServer[]
  readonly allowCandidate: CandidateFilter
  readonly chunkBytes: number
  readonly maxFrameBytes: number
  /** Give up if not open after this long. */
  readonly connectTimeoutMs: number
  readonly clock: Clock
}

/**
 * One WebRTC data channel to one remote peer (a simple-peer instance), carrying whole frames:
 * it says `Hello` with our PeerId first, opens when the remote's `Hello` names the peer we
 * meant to reach, splits outgoing frames into chunks (written through simple-peer's stream, so
 * the channel's buffered amount applies backpressure) and reassembles incoming ones.
 */
export class PeerLink {
  private state: LinkState = LinkState.Connecting
  private readonly peer: SimplePeer.Instance
  private readonly assembler: FrameAssembler
  private timer: TimerHandle | undefined
  /** When the link opened (clock time), for measurements. */
  openedAt: number | undefined
  /** When the link was created (clock time). */
  readonly createdAt: number
  /** True once a signal from the remote arrived (for an initiator: the answer, or a candidate), so the offer got through. */
  heard = false

  constructor(private readonly options: PeerLinkOptions, private readonly events: PeerLinkEvents) {
    this.createdAt = options.clock.now()
    this.assembler = new FrameAssembler(options.maxFrameBytes)
    this.peer = new SimplePeer({
      initiator: options.initiator,
      config: { iceServers: [...options.iceServers] },
      trickle: true,
      ...(options.wrtc === undefined ? {} : { wrtc: options.wrtc as SimplePeer.Options['wrtc'] })
    })
    this.peer.on('signal', (signal: SimplePeer.SignalData) => {
      if (this.state === LinkState.Closed) return
      const allowed = filterSignal(signal as SignalPayload, options.allowCandidate)
      if (allowed !== undefined) this.events.signal(this, allowed)
    })
    // First in the write queue, so it goes out first on connect: data can arrive (and our first
    // frames be queued) before simple-peer reports 'connect'.
    this.peer.write(encodeHello(options.self))
    this.peer.on('data', (data: Uint8Array) => this.onData(data))
    this.peer.on('error', (error: Error) => {
      if (this.state !== LinkState.Closed) this.events.error(this, error)
    })
    this.peer.on('close', () => this.end('channel closed'))
    this.timer = options.clock.setTimeout(() => {
      this.timer = undefined
      if (this.state === LinkState.Connecting) this.end(`not open after ${options.connectTimeoutMs} ms`)
    }, options.connectTimeoutMs)
  }

  /** The remote peer. */
  get remote(): PeerId {
    return this.options.remote
  }

  /** Whether this side made the offer. */
  get initiator(): boolean {
    return this.options.initiator
  }

  /** Where the link stands. */
  getState(): LinkState {
    return this.state
  }

  /** Feeds a signal from the remote (filtered like our own). */
  signal(signal: SignalPayload): void {
    if (this.state === LinkState.Closed) return
    this.heard = true
    const allowed = filterSignal(signal, this.options.allowCandidate)
    if (allowed === undefined) return
    try {
      this.peer.signal(allowed as SimplePeer.SignalData)
    } catch (error) {
      this.events.error(this, error instanceof Error ? error : new Error(String(error)))
    }
  }

  /** Sends one frame if the link is open; drops it otherwise. */
  send(frame: Uint8Array): void {
    if (this.state !== LinkState.Open) return
    for (const chunk of encodeFrame(frame, this.options.chunkBytes)) this.peer.write(chunk)
  }

  /** Closes the link, telling the remote goodbye if `goodbye`; reports nothing more. */
  close(goodbye: boolean): void {
    if (this.state === LinkState.Closed) return
    const wasOpen = this.state === LinkState.Open
    this.state = LinkState.Closed
    this.clearTimer()
    if (goodbye && wasOpen) {
      try {
        // Straight onto the channel, ahead of queued chunks: the frames in flight are moot now.
        this.peer.send(encodeBye())
      } catch {
        // the channel is already gone
      }
    }
    this.peer.destroy()
  }

  private onData(data: Uint8Array): void {
    if (this.state === LinkState.Closed) return
    const decoded = decodeLinkMessage(data)
    if (!decoded.ok) {
      this.events.error(this, decoded.error)
      if (this.state === LinkState.Connecting) this.end('not an sship peer')
      return
    }
    const message = decoded.value
    if (this.state === LinkState.Connecting) {
      if (message.type !== LinkMessageType.Hello || message.peerId !== this.options.remote) {
        this.events.error(this, new FrameError(FrameErrorCode.Malformed, `expected Hello from ${this.options.remote}`))
        this.end('bad hello')
        return
      }
      this.state = LinkState.Open
      this.openedAt = this.options.clock.now()
      this.clearTimer()
      this.events.open(this)
      return
    }
    if (message.type === LinkMessageType.Bye) {
      this.end('goodbye')
      return
    }
    if (message.type === LinkMessageType.Hello) return
    const result = this.assembler.push(message)
    if (result.kind === 'frame') this.events.frame(this, result.frame)
    else if (result.kind === 'error') this.events.error(this, result.error)
  }

  /** Closes because of something that happened to the link, and reports it. */
  private end(why: string): void {
    if (this.state === LinkState.Closed) return
    this.state = LinkState.Closed
    this.clearTimer()
    this.peer.destroy()
    this.events.closed(this, why)
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer)
    this.timer = undefined
  }
}
