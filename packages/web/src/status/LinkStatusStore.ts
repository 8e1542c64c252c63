import type { Clock, PeerId, Transport } from '@sship/core'
import { systemClock, type TimerHandle } from '@sship/core/internals'
import type { WebrtcTransport } from '@sship/webrtc'
import type { HostLinkInfo, WsClientTransport } from '@sship/websocket'

/** How this screen is connected, as the status panel shows it. */
export interface LinkStatus {
  /** Peers linked now (hosts and browsers). */
  readonly linked: number
  /** Hosts linked over WebSocket. */
  readonly hosts: number
  /** Browsers linked over WebRTC. */
  readonly browsers: number
  /** Signaling servers connected. */
  readonly signaling: number
  /** Every host URL and where it stands. */
  readonly hostLinks: readonly HostLinkInfo[]
  /** True if the room has a secret (every link proved it; frames are encrypted). */
  readonly secure: boolean
  /** Links and frames refused by the room secret so far (e.g. a peer with another secret). */
  readonly refused: number
}

const same = (a: LinkStatus, b: LinkStatus): boolean =>
  a.linked === b.linked && a.hosts === b.hosts && a.browsers === b.browsers && a.signaling === b.signaling && a.hostLinks === b.hostLinks &&
  a.secure === b.secure && a.refused === b.refused

/**
 * The links of this screen's transports as subscribe/getSnapshot. WebRTC links have no change
 * events, so it also looks every `pollMs` (a bounded UI refresh, stopped by {@link dispose}).
 */
export class LinkStatusStore {
  private snapshot: LinkStatus
  private readonly listeners = new Set<() => void>()
  private timer: TimerHandle | undefined
  private readonly offWs: () => void
  private disposed = false

  constructor(
    private readonly transport: Transport,
    private readonly ws: WsClientTransport,
    private readonly rtc: WebrtcTransport | undefined,
    private readonly clock: Clock = systemClock,
    private readonly pollMs = 500,
    private readonly security: { readonly secure: boolean; refusals(): readonly unknown[] } = { secure: false, refusals: () => [] }
  ) {
    this.snapshot = this.read()
    this.offWs = ws.subscribe(() => this.refresh())
    this.schedule()
  }

  readonly getSnapshot = (): LinkStatus => this.snapshot

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops polling. */
  dispose(): void {
    this.disposed = true
    this.offWs()
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
  }

  private schedule(): void {
    if (this.disposed) return
    this.timer = this.clock.setTimeout(() => {
      this.refresh()
      this.schedule()
    }, this.pollMs)
  }

  private refresh(): void {
    const next = this.read()
    if (same(next, this.snapshot)) return
    this.snapshot = next
    for (const l of this.listeners) l()
  }

  private read(): LinkStatus {
    const hostPeers = new Set<PeerId>(this.ws.peers())
    const rtcPeers = this.rtc?.peers() ?? new Set<PeerId>()
    return {
      linked: this.transport.peers().size,
      hosts: hostPeers.size,
      browsers: [...rtcPeers].filter((p) => !hostPeers.has(p)).length,
      signaling: this.rtc?.signalingUrls().length ?? 0,
      hostLinks: this.ws.getLinks(),
      secure: this.security.secure,
      refused: this.security.refusals().length
    }
  }
}
