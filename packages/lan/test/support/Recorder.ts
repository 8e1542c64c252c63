import type { PeerId, TransportEvents } from '@sship/core'

type LeaveReason = Parameters<TransportEvents['peerLeft']>[1]

/** Records what a transport reports. */
export class Recorder implements TransportEvents {
  readonly joined: PeerId[] = []
  readonly left: PeerId[] = []
  /** Why each link in `left` went down, as the transport said. */
  readonly reasons: LeaveReason[] = []
  readonly frames: { from: PeerId; data: Uint8Array }[] = []
  peerJoined(peer: PeerId): void {
    this.joined.push(peer)
  }
  peerLeft(peer: PeerId, reason?: LeaveReason): void {
    this.left.push(peer)
    this.reasons.push(reason)
  }
  frame(from: PeerId, data: Uint8Array): void {
    this.frames.push({ from, data })
  }
}
