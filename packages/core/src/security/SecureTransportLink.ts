import type { TimerHandle } from '../clock/Clock.js'
import type { EphemeralKey } from './ephemeralKeys.js'
import type { PeerId } from '../ids/ids.js'
import type { ReplayWindow } from './ReplayWindow.js'
import type { SecureFrame } from './secureFrames.js'

/**
 * One handshake of a {@link SecureTransport} link: the first one, or a re-key while a session
 * is up. It lives until the peer's proof checks, fails, or the retransmissions run out. @internal
 */
export interface Handshake {
  /** Our fresh nonce. */
  readonly ours: Uint8Array
  /** Our ephemeral ECDH key, once generated (see `ready`); dropped with the handshake. */
  eph: EphemeralKey | undefined
  /** Settles once `eph` is generated (or its generation failed and was reported). */
  ready: Promise<void>
  /** The peer's nonce, once its Hello arrived. */
  theirs: Uint8Array | undefined
  /** The peer's ephemeral public key, from the same Hello as `theirs`. */
  theirEph: Uint8Array | undefined
  /** A Proof that arrived before the peer's Hello (a reordering inner transport). */
  early: Uint8Array | undefined
  /** Our proof for `(theirs, ours)`, once signed: sent again with each retransmitted Hello. */
  proof: Uint8Array | undefined
  /** With identities: our Identity frame for `(theirs, ours)`, once signed; sent with the proof. */
  identity: Uint8Array | undefined
  /** With identities: the peer's room-secret proof checked, waiting for its Identity frame. */
  proofOk: boolean
  /** With identities: the peer proved the key of its GUID for this handshake. */
  identityOk: boolean
  /** An Identity frame that arrived before the peer's Hello. */
  earlyIdentity: Extract<SecureFrame, { type: 4 }> | undefined
  /** Hellos sent so far by the retransmission timer (the first one not counted). */
  retries: number
  /** The retransmission timer, while one is armed. */
  timer: TimerHandle | undefined
}

/** An established session: keys, counters and the nonces it was made from. @internal */
export interface Session {
  readonly ours: Uint8Array
  readonly theirs: Uint8Array
  /** Our proof of this session: sent again if the peer repeats its Hello (it lost our proof). */
  readonly proof: Uint8Array
  /** With identities: our Identity frame of this session, sent again with the proof. */
  readonly identity: Uint8Array | undefined
  readonly sendKey: CryptoKey
  readonly recvKey: CryptoKey
  sent: number
  readonly window: ReplayWindow
}

/** One peer's secure link, from the inner `peerJoined` (or its first Hello) to `peerLeft`. @internal */
export interface Link {
  readonly peer: PeerId
  /** A handshake under way (none once up, unless the peer asked for a new session). */
  handshake: Handshake | undefined
  /** The session frames use, once the first handshake succeeded. */
  session: Session | undefined
  /** The peer failed a proof (or never completed a handshake): nothing more passes on this link. */
  failed: Handshake | undefined
  /** Incoming frames are handled one at a time, in arrival order. */
  inbound: Promise<void>
  /** Encrypted frames go to the inner transport in counter order. */
  outbound: Promise<void>
}

/** A fresh link to `peer` with its first handshake under way. @internal */
export function newLink(peer: PeerId, ours: Uint8Array): Link {
  return {
    peer, handshake: newHandshake(ours), session: undefined, failed: undefined,
    inbound: Promise.resolve(), outbound: Promise.resolve()
  }
}

/** A handshake with nonce `ours`, nothing heard yet. @internal */
export function newHandshake(ours: Uint8Array): Handshake {
  return {
    ours, eph: undefined, ready: Promise.resolve(), theirs: undefined, theirEph: undefined, early: undefined, proof: undefined,
    identity: undefined, proofOk: false, identityOk: false, earlyIdentity: undefined, retries: 0, timer: undefined
  }
}
