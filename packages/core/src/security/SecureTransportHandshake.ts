import type { Clock } from '../clock/Clock.js'
import type { PeerIdentity } from '../identity/PeerIdentity.js'
import type { PeerId } from '../ids/ids.js'
import { ephemeralShared, newEphemeralKey } from './ephemeralKeys.js'
import { deriveLinkKey, signProof, verifyProof, type RoomKeys } from './roomKeys.js'
import { ReplayWindow } from './ReplayWindow.js'
import { checkLinkIdentity, signLinkIdentity, type IdentityCheck } from './linkIdentity.js'
import { encodeHello, encodeIdentity, encodeProof, NONCE_BYTES, sameBytes, type SecureFrame } from './secureFrames.js'
import { newHandshake, newLink, type Handshake, type Link } from './SecureTransportLink.js'
import { SecureTransportNonces } from './SecureTransportNonces.js'
import { SecurityErrorCode } from './SecurityError.js'

/** What the handshake needs from its {@link SecureTransport}. @internal */
export interface HandshakeHost {
  readonly localPeer: PeerId
  /** Sends a frame on the inner transport. */
  send(peer: PeerId, data: Uint8Array): void
  /** True once `link` no longer matters (closed, or replaced). */
  stale(link: Link): boolean
  report(code: SecurityErrorCode, message: string, peer: PeerId | undefined, cause?: unknown): void
  /** `link.session` was just installed; `rekeyed` if it replaced a running one. */
  established(link: Link, rekeyed: boolean): void
  /** Registers work in flight (for `idle()`). */
  track(work: Promise<void>): void
}

/** Timing and sources of the handshake. @internal */
export interface HandshakeSettings {
  readonly clock: Clock
  readonly retryMs: number
  readonly retries: number
  readonly replayWindow: number
  readonly randomBytes: (length: number) => Uint8Array
  /** This peer's key pair: adds the identity step (see `linkIdentity.ts`). */
  readonly identity: PeerIdentity | undefined
}

/**
 * The handshake side of {@link SecureTransport}: Hello (with an ephemeral ECDH key per
 * handshake, for forward secrecy) and proof (and, with identities, the Identity step that binds
 * the GUIDs to the ephemeral keys), retransmission with doubling
 * waits, re-key beside a running session, stale-proof detection by nonce history, and the
 * refusals (`auth-failed`, `handshake-timeout`). Frames are handed in one at a time per link,
 * in arrival order. @internal
 */
export class SecureTransportHandshake {
  private readonly nonces = new SecureTransportNonces()

  constructor(private readonly host: HandshakeHost, private readonly settings: HandshakeSettings) {}

  /** A new link to `peer`, registered with `register` before its first Hello is sent. */
  start(peer: PeerId, register: (link: Link) => void): Link {
    const link = newLink(peer, this.nonce(peer))
    const hs = link.handshake as Handshake
    this.generate(link, hs)
    register(link)
    this.host.track(hs.ready.then(() => {
      if (!this.host.stale(link) && link.handshake === hs) this.sendHello(link, hs)
    }))
    return link
  }

  /** Starts generating the ephemeral key of `hs`; a failure is reported and leaves `hs.eph` undefined. */
  private generate(link: Link, hs: Handshake): void {
    hs.ready = newEphemeralKey().then((key) => {
      hs.eph = key
    }, (cause: unknown) => this.host.report(SecurityErrorCode.Internal, `generating an ephemeral key failed: ${String(cause)}`, link.peer, cause))
  }

  /** Sends the Hello of `hs` (and its proof, if signed and `withProof`) and arms the next retransmission. */
  private sendHello(link: Link, hs: Handshake, withProof = true): void {
    if (hs.eph === undefined) return
    this.host.send(link.peer, encodeHello(hs.ours, hs.theirs, hs.eph.publicRaw))
    if (withProof && hs.proof !== undefined) this.host.send(link.peer, encodeProof(hs.proof))
    if (withProof && hs.identity !== undefined) this.host.send(link.peer, hs.identity)
    this.disarm(hs)
    const wait = this.settings.retryMs * 2 ** Math.min(hs.retries, 3)
    hs.timer = this.settings.clock.setTimeout(() => {
      hs.timer = undefined
      if (this.host.stale(link) || link.handshake !== hs) return
      if (hs.retries >= this.settings.retries) return this.giveUp(link, hs)
      hs.retries++
      this.sendHello(link, hs)
    }, wait)
  }

  /** A fresh nonce for a handshake with `peer`, remembered so a late proof for it is recognised as stale. */
  private nonce(peer: PeerId): Uint8Array {
    const ours = this.settings.randomBytes(NONCE_BYTES).slice()
    this.nonces.add(peer, 'ours', ours)
    return ours
  }

  /** Refuses `link` for good (until the inner link rejoins) and reports `auth-failed`. */
  fail(link: Link, hs: Handshake, message: string): void {
    this.disarm(hs)
    link.handshake = undefined
    link.failed = hs
    this.host.report(SecurityErrorCode.AuthFailed, message, link.peer)
  }

  private giveUp(link: Link, hs: Handshake): void {
    link.handshake = undefined
    // A failed re-key leaves the session as it was; a failed first handshake leaves the link refused.
    if (link.session === undefined) link.failed = hs
    this.host.report(SecurityErrorCode.HandshakeTimeout, `peer ${link.peer} did not complete the handshake after ${hs.retries + 1} attempts`, link.peer)
  }

  /** Cancels the retransmission timer of `hs`, if any. */
  disarm(hs: Handshake | undefined): void {
    if (hs?.timer === undefined) return
    this.settings.clock.clearTimeout(hs.timer)
    hs.timer = undefined
  }

  /** Handles the peer's Hello: answers it, signs and sends our proof; starts a re-key on an established link. */
  async onHello(keys: RoomKeys, link: Link, hello: Extract<SecureFrame, { type: 1 }>): Promise<void> {
    if (link.failed !== undefined) {
      // Answer a refused peer's repeated Hello with our proof, so it learns of the mismatch too.
      const f = link.failed
      if (f.proof !== undefined && sameBytes(f.theirs, hello.nonce)) this.host.send(link.peer, encodeProof(f.proof))
      return
    }
    const session = link.session
    if (link.handshake === undefined && session !== undefined) {
      // The peer repeats the Hello of our session: it lost our proof.
      if (sameBytes(session.theirs, hello.nonce)) {
        this.host.send(link.peer, encodeProof(session.proof))
        if (session.identity !== undefined) this.host.send(link.peer, session.identity)
        return
      }
      // A new nonce: the peer started over (its inner link reconnected). Re-key beside the session.
      const rekey = newHandshake(this.nonce(link.peer))
      this.generate(link, rekey)
      link.handshake = rekey
    }
    const hs = link.handshake
    if (hs === undefined) return
    await hs.ready
    if (this.host.stale(link) || link.handshake !== hs || hs.eph === undefined) return
    const fresh = !sameBytes(hs.theirs, hello.nonce)
    const theirs = fresh ? hello.nonce.slice() : (hs.theirs as Uint8Array)
    if (fresh) {
      hs.theirs = theirs
      hs.theirEph = hello.ephemeral.slice()
      hs.proof = undefined
      hs.identity = undefined
      hs.proofOk = false
      hs.identityOk = false
      this.nonces.add(link.peer, 'theirs', theirs)
    }
    // Our Hello again if the peer lacks our nonce; our proof follows once signed.
    if (!sameBytes(hello.echo, hs.ours)) this.sendHello(link, hs, false)
    if (!fresh) return
    const mac = await signProof(keys, this.host.localPeer, link.peer, theirs, hs.ours)
    if (this.host.stale(link) || link.handshake !== hs || hs.theirs !== theirs) return
    hs.proof = mac
    this.host.send(link.peer, encodeProof(mac))
    const identity = this.settings.identity
    if (identity !== undefined && hs.eph !== undefined) {
      const signature = await signLinkIdentity(identity, link.peer, theirs, hs.ours, hs.eph.publicRaw)
      if (this.host.stale(link) || link.handshake !== hs || hs.theirs !== theirs || hs.eph === undefined) return
      hs.identity = encodeIdentity(hs.eph.publicRaw, identity.publicKey, signature)
      this.host.send(link.peer, hs.identity)
    }
    const early = hs.early
    hs.early = undefined
    if (early !== undefined) await this.onProof(keys, link, early)
    const earlyIdentity = hs.earlyIdentity
    hs.earlyIdentity = undefined
    if (earlyIdentity !== undefined) await this.onIdentity(keys, link, earlyIdentity)
    // The peer's proof (and Identity) may have been checked before ours was ready.
    await this.tryFinish(keys, link, hs)
  }

  /**
   * Handles the peer's Identity frame (with identities): its key must be its GUID's and its
   * signature must cover both GUIDs, both nonces and the ephemeral key of its Hello. A frame for
   * another ephemeral key (an earlier handshake's, retransmitted late) is stale and ignored.
   */
  async onIdentity(keys: RoomKeys, link: Link, frame: Extract<SecureFrame, { type: 4 }>): Promise<void> {
    const identity = this.settings.identity
    const hs = link.handshake
    if (identity === undefined || hs === undefined || hs.identityOk) return
    const { theirs, theirEph } = hs
    if (theirs === undefined || theirEph === undefined) {
      hs.earlyIdentity = { type: frame.type, ecdh: frame.ecdh.slice(), key: frame.key.slice(), signature: frame.signature.slice() }
      return
    }
    if (!sameBytes(frame.ecdh, theirEph)) return
    let check: IdentityCheck
    try {
      check = await checkLinkIdentity(identity.verifier, link.peer, this.host.localPeer, hs.ours, theirs, frame)
    } catch {
      check = 'bad-signature'
    }
    if (this.host.stale(link) || link.handshake !== hs || hs.theirs !== theirs) return
    if (check !== 'ok') {
      // During a re-key the link already proved its GUID: a bad step is ignored, the re-key times out.
      if (link.session !== undefined) return
      return this.fail(link, hs, check === 'wrong-key'
        ? `peer ${link.peer} presented a key that is not the one of its GUID`
        : `peer ${link.peer} failed the identity step (a signature that is not its GUID's over this handshake)`)
    }
    hs.identityOk = true
    await this.tryFinish(keys, link, hs)
  }

  /** Handles the peer's proof: on success installs the session and tells the host. */
  async onProof(keys: RoomKeys, link: Link, mac: Uint8Array): Promise<void> {
    const hs = link.handshake
    if (hs === undefined) return
    const theirs = hs.theirs
    if (theirs === undefined) {
      hs.early = mac.slice()
      return
    }
    const ok = await verifyProof(keys, link.peer, this.host.localPeer, hs.ours, theirs, mac)
    if (this.host.stale(link) || link.handshake !== hs) return
    if (!ok) {
      // During a re-key the peer already proved the secret: a proof for another pair (stale, or
      // answering a forged Hello) is ignored; the re-key completes or times out.
      if (link.session !== undefined) return
      // A late proof of an earlier nonce pair with this peer is stale, not a wrong secret.
      for (const p of this.nonces.pairs(link.peer)) if (await verifyProof(keys, link.peer, this.host.localPeer, p.ours, p.theirs, mac)) return
      if (this.host.stale(link) || link.handshake !== hs) return
      return this.fail(link, hs, `peer ${link.peer} failed the handshake: it does not hold the room secret`)
    }
    hs.proofOk = true
    await this.tryFinish(keys, link, hs)
  }

  /**
   * Installs the session once everything of `hs` is in: the peer's proof checked, our proof
   * signed, and with identities both Identity frames (ours signed, the peer's checked). Runs once
   * per handshake (the first caller takes `proofOk`).
   */
  private async tryFinish(keys: RoomKeys, link: Link, hs: Handshake): Promise<void> {
    const theirs = hs.theirs
    if (!hs.proofOk || hs.proof === undefined || theirs === undefined || link.handshake !== hs) return
    if (this.settings.identity !== undefined && (!hs.identityOk || hs.identity === undefined)) return
    hs.proofOk = false
    const { eph, theirEph } = hs
    if (eph === undefined || theirEph === undefined) return
    let shared: Uint8Array
    try {
      shared = await ephemeralShared(eph, theirEph)
    } catch (cause) {
      if (this.host.stale(link) || link.handshake !== hs) return
      this.disarm(hs)
      link.handshake = undefined
      if (link.session === undefined) link.failed = hs
      return this.host.report(SecurityErrorCode.Malformed, `peer ${link.peer} sent an invalid ephemeral key`, link.peer, cause)
    }
    const [sendKey, recvKey] = await Promise.all([
      deriveLinkKey(keys, this.host.localPeer, link.peer, hs.ours, theirs, shared),
      deriveLinkKey(keys, link.peer, this.host.localPeer, theirs, hs.ours, shared)
    ])
    if (this.host.stale(link) || link.handshake !== hs || hs.proof === undefined) return
    this.disarm(hs)
    link.handshake = undefined
    // The ephemeral private key is no longer needed: dropping it is what makes the session forward-secret.
    hs.eph = undefined
    const rekeyed = link.session !== undefined
    link.session = { ours: hs.ours, theirs, proof: hs.proof, identity: hs.identity, sendKey, recvKey, sent: 0, window: new ReplayWindow(this.settings.replayWindow) }
    this.host.established(link, rekeyed)
  }
}
