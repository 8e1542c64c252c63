import type { PeerId } from '../ids/ids.js'
import type { EcdhShare } from './linkIdentity.js'
import type { ReplayWindow } from './ReplayWindow.js'
import type { SecureFrame } from './secureFrames.js'

/** The states of one link's session. */
export const LinkState = { Handshaking: 'handshaking', Up: 'up', Failed: 'failed' } as const
/** One of {@link LinkState}'s values. */
export type LinkState = (typeof LinkState)[keyof typeof LinkState]

/** One session with one peer, from the inner `peerJoined` (or its first Hello) to `peerLeft`. */
export interface Link {
  readonly peer: PeerId
  readonly ours: Uint8Array
  theirs: Uint8Array | undefined
  state: LinkState
  /** A Proof that arrived before the peer's Hello (a reordering inner transport). */
  early: Uint8Array | undefined
  /** With identities: our ephemeral ECDH share, the peer's checked proof, its identity step. */
  readonly ecdh: Promise<EcdhShare | undefined> | undefined
  proofOk: boolean
  step: Extract<SecureFrame, { type: 4 }> | undefined
  sendKey: CryptoKey | undefined
  recvKey: CryptoKey | undefined
  sent: number
  readonly window: ReplayWindow
  /** Incoming frames are handled one at a time, in arrival order. */
  inbound: Promise<void>
  /** Encrypted frames go to the inner transport in counter order. */
  outbound: Promise<void>
}
