import type { PeerId } from '@sship/core'

/**
 * Which of two peers makes the WebRTC offer: the one with the smaller PeerId. A fixed rule
 * means two peers that hear each other's `announce` at the same moment never both offer (the
 * "glare" y-webrtc settles with random tokens); the larger peer instead answers an announce
 * with an announce addressed to the smaller one, which then offers.
 */
export function isInitiator(self: PeerId, remote: PeerId): boolean {
  return self < remote
}
