import type { PeerId, TransportEvents } from '@sship/core'

/** Records what a transport reports. */
export class Recorder implements TransportEvents {
  readonly joined: PeerId[] = []
  readonly left: PeerId[] = []
  readonly frames: { from: PeerId; data: Uint8Array }[] = []
  peerJoined(peer: PeerId): void {
    this.joined.push(peer)
  }
  peerLeft(peer: PeerId): void {
    this.left.push(peer)
  }
  frame(from: PeerId, data: Uint8Array): void {
    this.frames.push({ from, data })
  }
}
