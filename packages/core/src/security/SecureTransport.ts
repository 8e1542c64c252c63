import { systemClock, type Clock } from '../clock/Clock.js'
import { ConfigError } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import type { Transport, TransportEvents } from '../transport/Transport.js'
import { deriveLinkKey, deriveRoomKeys, DEFAULT_PBKDF2_ITERATIONS, signProof, verifyProof, type RoomKeys } from './roomKeys.js'
import { ReplayWindow } from './ReplayWindow.js'
import {
  counterIv, decodeSecureFrame, encodeData, encodeDataHeader, encodeHello, encodeProof, MAX_COUNTER, NONCE_BYTES, sameBytes,
  SecureFrameType, type SecureFrame
} from './secureFrames.js'
import { newHandshake, newLink, type Handshake, type Link } from './SecureTransportLink.js'
import { SecureTransportNonces } from './SecureTransportNonces.js'
import { SecurityError, SecurityErrorCode } from './SecurityError.js'

/** Options of a {@link SecureTransport}. */
export interface SecureTransportOptions {
  /** The room secret every member shares. Never sent; use a high-entropy one (see docs/security.md). */
  readonly secret: string | Uint8Array
  /** The app's name: keys of one secret differ per app. */
  readonly appName: string
  /** Receives every refused handshake or frame, with the peer it came from; the link keeps serving. */
  readonly onError?: (error: SecurityError, peer: PeerId | undefined) => void
  /** PBKDF2 iterations (default {@link DEFAULT_PBKDF2_ITERATIONS}); all members must agree. Tests use fewer. */
  readonly iterations?: number
  /**
   * How many counters below the highest accepted one may still arrive, once each (default 64).
   * 0 is strict in-order: right for LAN and WebRTC, which are ordered; a reordering inner
   * transport needs a window larger than its worst reordering, or frames are refused as replays.
   */
  readonly replayWindow?: number
  /** Source of handshake nonces (default WebCrypto's `getRandomValues`). Must be unpredictable. */
  readonly randomBytes?: (length: number) => Uint8Array
  /** Timers of handshake retransmission (default the system clock; tests pass a virtual one). */
  readonly clock?: Clock
  /** First wait before a handshake's Hello (and proof) is sent again; it doubles up to 8×. Default 500 ms. */
  readonly handshakeRetryMs?: number
  /** Retransmissions before a handshake is given up as `handshake-timeout`. Default 8 (about 25 s). */
  readonly handshakeRetries?: number
}

/**
 * A {@link Transport} decorator that admits only peers holding the room secret and encrypts
 * every frame, over any inner transport (LAN, WebRTC, memory).
 *
 * - On the inner `peerJoined`, both sides send a fresh nonce and then an HMAC proof over both
 *   nonces, both ids and the direction. Only when the peer's proof checks is `peerJoined`
 *   reported upward. Until then the peer is not in {@link SecureTransport.peers}, its data
 *   frames are dropped, and our sends to it are dropped (as the Transport contract says for
 *   peers not joined): nothing is queued.
 * - Afterwards every frame is AES-GCM with a per-direction session key (HKDF of both nonces);
 *   the IV is a per-direction counter, also in the associated data. A counter is accepted at
 *   most once, within `replayWindow` of the highest one seen.
 * - Refusals go to `onError` as {@link SecurityError}s; nothing is thrown out of a handler.
 *
 * Robustness: a handshake that is not done after `handshakeRetryMs` sends its Hello (and its
 * proof, once signed) again, with doubling waits, so a lost handshake frame only delays the
 * link. A peer that repeats the Hello of the current session gets our proof again (it lost
 * it). A Hello with a new nonce while a session is up (the peer's inner link reconnected and
 * this side never saw it drop) starts a re-key handshake beside the session; the session keeps
 * serving until the new proof checks, so a forged Hello cannot break it. A proof for an earlier
 * nonce pair of the link is stale and ignored, not counted as a wrong secret.
 *
 * WebCrypto is asynchronous, so events reach the owner a few event-loop turns after the inner
 * ones; tests await {@link SecureTransport.idle} between network steps.
 */
export class SecureTransport implements Transport {
  readonly localPeer: PeerId
  private readonly keys: Promise<RoomKeys | undefined>
  private readonly links = new Map<PeerId, Link>()
  private readonly joined = new Set<PeerId>()
  private readonly busy = new Set<Promise<void>>()
  private readonly nonces = new SecureTransportNonces()
  private readonly replayWindow: number
  private readonly randomBytes: (length: number) => Uint8Array
  private readonly clock: Clock
  private readonly retryMs: number
  private readonly retries: number
  private events: TransportEvents | undefined
  private closed = false

  /** Throws a {@link ConfigError} for an empty secret or app name, or bad numbers. Starts deriving keys at once. */
  constructor(private readonly inner: Transport, private readonly options: SecureTransportOptions) {
    const { secret, appName, iterations = DEFAULT_PBKDF2_ITERATIONS, replayWindow = 64, handshakeRetryMs = 500, handshakeRetries = 8 } = options
    if (secret.length === 0) throw new ConfigError('SecureTransport needs a non-empty secret')
    if (appName.length === 0) throw new ConfigError('SecureTransport needs the app name (it salts the keys)')
    if (!Number.isSafeInteger(iterations) || iterations < 1) throw new ConfigError(`iterations must be a positive integer, got ${iterations}`)
    if (!Number.isSafeInteger(replayWindow) || replayWindow < 0) throw new ConfigError(`replayWindow must be an integer >= 0, got ${replayWindow}`)
    if (!(handshakeRetryMs > 0)) throw new ConfigError(`handshakeRetryMs must be positive, got ${handshakeRetryMs}`)
    if (!Number.isSafeInteger(handshakeRetries) || handshakeRetries < 0) throw new ConfigError(`handshakeRetries must be an integer >= 0, got ${handshakeRetries}`)
    this.localPeer = inner.localPeer
    this.replayWindow = replayWindow
    this.retryMs = handshakeRetryMs
    this.retries = handshakeRetries
    this.clock = options.clock ?? systemClock
    this.randomBytes = options.randomBytes ?? ((n) => globalThis.crypto.getRandomValues(new Uint8Array(n)))
    this.keys = deriveRoomKeys(secret, appName, iterations).catch((cause: unknown) => {
      this.report(SecurityErrorCode.Internal, `deriving the room keys failed: ${String(cause)}`, undefined, cause)
      return undefined
    })
    this.track(this.keys.then(() => undefined))
  }

  connect(events: TransportEvents): void {
    if (this.events !== undefined) throw new Error('SecureTransport.connect called twice')
    this.events = events
    this.inner.connect({
      peerJoined: (peer) => this.onInnerJoined(peer),
      peerLeft: (peer) => this.onInnerLeft(peer),
      frame: (from, data) => this.onInnerFrame(from, data)
    })
  }

  send(to: PeerId, data: Uint8Array): void {
    const link = this.links.get(to)
    const session = link?.session
    if (this.closed || link === undefined || session === undefined) return
    if (session.sent >= MAX_COUNTER) {
      this.report(SecurityErrorCode.Internal, 'send counter exhausted; the link must rejoin', to)
      return
    }
    const counter = ++session.sent
    const header = encodeDataHeader(counter)
    // Encrypt now (WebCrypto copies `data` synchronously), send in counter order.
    const sealed = globalThis.crypto.subtle
      .encrypt({ name: 'AES-GCM', iv: counterIv(counter), additionalData: header }, session.sendKey, new Uint8Array(data))
      .then((ct) => new Uint8Array(ct), (cause: unknown) => new SecurityError(SecurityErrorCode.Internal, 'encryption failed', { cause }))
    link.outbound = link.outbound.then(async () => {
      const ciphertext = await sealed
      if (ciphertext instanceof SecurityError) this.reportError(ciphertext, to)
      else if (!this.stale(link) && link.session === session) this.inner.send(to, encodeData(header, ciphertext))
    }).catch((cause: unknown) => this.report(SecurityErrorCode.Internal, `sending a frame failed: ${String(cause)}`, to, cause))
    this.track(link.outbound)
  }

  peers(): ReadonlySet<PeerId> {
    return this.joined
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const link of this.links.values()) this.disarm(link.handshake)
    this.links.clear()
    this.joined.clear()
    this.inner.close()
  }

  /** Resolves once every pending key derivation, handshake step, encryption and decryption has run. */
  async idle(): Promise<void> {
    while (this.busy.size > 0) await Promise.allSettled([...this.busy])
  }

  private onInnerJoined(peer: PeerId): void {
    const old = this.links.get(peer)
    // A first handshake under way may already hold the peer's Hello; a restarted peer sends a new nonce.
    if (this.closed || (old !== undefined && old.session === undefined && old.failed === undefined)) return
    this.drop(peer)
    this.startLink(peer)
  }

  private onInnerLeft(peer: PeerId): void {
    this.drop(peer)
  }

  /** Forgets the link to `peer`, reporting it left if it was up. */
  private drop(peer: PeerId): void {
    const link = this.links.get(peer)
    if (link === undefined) return
    this.disarm(link.handshake)
    this.links.delete(peer)
    if (link.session !== undefined) this.leave(peer)
  }

  private onInnerFrame(from: PeerId, data: Uint8Array): void {
    if (this.closed) return
    let link = this.links.get(from)
    if (link === undefined) {
      // The inner transport may deliver a Hello before its own peerJoined; anything else is stale.
      if (data[1] !== SecureFrameType.Hello) return
      link = this.startLink(from)
    }
    const target = link
    target.inbound = target.inbound.then(() => this.handle(target, data)).catch((cause: unknown) => {
      this.report(SecurityErrorCode.Internal, `handling a frame failed: ${String(cause)}`, from, cause)
    })
    this.track(target.inbound)
  }

  private startLink(peer: PeerId): Link {
    const link = newLink(peer, this.nonce(peer))
    this.links.set(peer, link)
    this.sendHello(link, link.handshake as Handshake)
    return link
  }

  /** Sends the Hello of `hs` (and its proof, if signed and `withProof`) and arms the next retransmission. */
  private sendHello(link: Link, hs: Handshake, withProof = true): void {
    this.inner.send(link.peer, encodeHello(hs.ours, hs.theirs))
    if (withProof && hs.proof !== undefined) this.inner.send(link.peer, encodeProof(hs.proof))
    this.disarm(hs)
    const wait = this.retryMs * 2 ** Math.min(hs.retries, 3)
    hs.timer = this.clock.setTimeout(() => {
      hs.timer = undefined
      if (this.stale(link) || link.handshake !== hs) return
      if (hs.retries >= this.retries) return this.giveUp(link, hs)
      hs.retries++
      this.sendHello(link, hs)
    }, wait)
  }

  /** A fresh nonce for a handshake with `peer`, remembered so a late proof for it is recognised as stale. */
  private nonce(peer: PeerId): Uint8Array {
    const ours = this.randomBytes(NONCE_BYTES).slice()
    this.nonces.add(peer, 'ours', ours)
    return ours
  }

  /** Refuses `link` for good (until the inner link rejoins) and reports `auth-failed`. */
  private fail(link: Link, hs: Handshake, message: string): void {
    this.disarm(hs)
    link.handshake = undefined
    link.failed = hs
    this.report(SecurityErrorCode.AuthFailed, message, link.peer)
  }

  private giveUp(link: Link, hs: Handshake): void {
    link.handshake = undefined
    // A failed re-key leaves the session as it was; a failed first handshake leaves the link refused.
    if (link.session === undefined) link.failed = hs
    this.report(SecurityErrorCode.HandshakeTimeout, `peer ${link.peer} did not complete the handshake after ${hs.retries + 1} attempts`, link.peer)
  }

  private disarm(hs: Handshake | undefined): void {
    if (hs?.timer === undefined) return
    this.clock.clearTimeout(hs.timer)
    hs.timer = undefined
  }

  private async handle(link: Link, data: Uint8Array): Promise<void> {
    const keys = await this.keys
    if (keys === undefined || this.stale(link)) return
    const frame = decodeSecureFrame(data)
    if (frame.type === 'malformed') {
      if (link.failed !== undefined) return
      // Before any session, a frame that is not a secure frame comes from a peer without a secret.
      if (link.session === undefined && link.handshake !== undefined) {
        return this.fail(link, link.handshake, `peer ${link.peer} does not speak the secure handshake (${frame.reason}): it has no room secret`)
      }
      return this.report(SecurityErrorCode.Malformed, frame.reason, link.peer)
    }
    switch (frame.type) {
      case SecureFrameType.Hello: return this.onHello(keys, link, frame)
      case SecureFrameType.Proof: return this.onProof(keys, link, frame.mac)
      case SecureFrameType.Data: return this.onData(link, frame)
    }
  }

  private async onHello(keys: RoomKeys, link: Link, hello: Extract<SecureFrame, { type: 1 }>): Promise<void> {
    if (link.failed !== undefined) {
      // Answer a refused peer's repeated Hello with our proof, so it learns of the mismatch too.
      const f = link.failed
      if (f.proof !== undefined && sameBytes(f.theirs, hello.nonce)) this.inner.send(link.peer, encodeProof(f.proof))
      return
    }
    const session = link.session
    if (link.handshake === undefined && session !== undefined) {
      // The peer repeats the Hello of our session: it lost our proof.
      if (sameBytes(session.theirs, hello.nonce)) return this.inner.send(link.peer, encodeProof(session.proof))
      // A new nonce: the peer started over (its inner link reconnected). Re-key beside the session.
      link.handshake = newHandshake(this.nonce(link.peer))
    }
    const hs = link.handshake
    if (hs === undefined) return
    const fresh = !sameBytes(hs.theirs, hello.nonce)
    const theirs = fresh ? hello.nonce.slice() : (hs.theirs as Uint8Array)
    if (fresh) {
      hs.theirs = theirs
      hs.proof = undefined
      this.nonces.add(link.peer, 'theirs', theirs)
    }
    // Our Hello again if the peer lacks our nonce; our proof follows once signed.
    if (!sameBytes(hello.echo, hs.ours)) this.sendHello(link, hs, false)
    if (!fresh) return
    const mac = await signProof(keys, this.localPeer, link.peer, theirs, hs.ours)
    if (this.stale(link) || link.handshake !== hs || hs.theirs !== theirs) return
    hs.proof = mac
    this.inner.send(link.peer, encodeProof(mac))
    const early = hs.early
    hs.early = undefined
    if (early !== undefined) await this.onProof(keys, link, early)
  }

  private async onProof(keys: RoomKeys, link: Link, mac: Uint8Array): Promise<void> {
    const hs = link.handshake
    if (hs === undefined) return
    const theirs = hs.theirs
    if (theirs === undefined) {
      hs.early = mac.slice()
      return
    }
    const ok = await verifyProof(keys, link.peer, this.localPeer, hs.ours, theirs, mac)
    if (this.stale(link) || link.handshake !== hs) return
    if (!ok) {
      // During a re-key the peer already proved the secret: a proof for another pair (stale, or
      // answering a forged Hello) is ignored; the re-key completes or times out.
      if (link.session !== undefined) return
      // A late proof of an earlier nonce pair with this peer is stale, not a wrong secret.
      for (const p of this.nonces.pairs(link.peer)) if (await verifyProof(keys, link.peer, this.localPeer, p.ours, p.theirs, mac)) return
      if (this.stale(link) || link.handshake !== hs) return
      return this.fail(link, hs, `peer ${link.peer} failed the handshake: it does not hold the room secret`)
    }
    const [sendKey, recvKey] = await Promise.all([
      deriveLinkKey(keys, this.localPeer, link.peer, hs.ours, theirs),
      deriveLinkKey(keys, link.peer, this.localPeer, theirs, hs.ours)
    ])
    if (this.stale(link) || link.handshake !== hs || hs.proof === undefined) return
    this.disarm(hs)
    link.handshake = undefined
    const rekeyed = link.session !== undefined
    link.session = { ours: hs.ours, theirs, proof: hs.proof, sendKey, recvKey, sent: 0, window: new ReplayWindow(this.replayWindow) }
    // A new session is a new incarnation of the link for the owner: it resyncs as after a rejoin.
    if (rekeyed) this.leave(link.peer)
    this.joined.add(link.peer)
    this.emit(link.peer, (e) => e.peerJoined(link.peer))
  }

  private async onData(link: Link, frame: Extract<SecureFrame, { type: 3 }>): Promise<void> {
    // Before the handshake completes there is no key: a benign race, or a stale session.
    const session = link.session
    if (session === undefined) return
    const { counter } = frame
    if (session.window.check(counter) !== 'fresh') return this.report(SecurityErrorCode.Replay, `counter ${counter} was replayed or is too old`, link.peer)
    let plain: ArrayBuffer
    try {
      plain = await globalThis.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: counterIv(counter), additionalData: new Uint8Array(frame.header) },
        session.recvKey,
        new Uint8Array(frame.ciphertext)
      )
    } catch (cause) {
      if (this.stale(link) || link.session !== session) return
      return this.report(SecurityErrorCode.DecryptFailed, `frame ${counter} failed authentication`, link.peer, cause)
    }
    if (this.stale(link) || link.session !== session) return
    session.window.accept(counter)
    this.emit(link.peer, (e) => e.frame(link.peer, new Uint8Array(plain)))
  }

  private leave(peer: PeerId): void {
    this.joined.delete(peer)
    this.emit(peer, (e) => e.peerLeft(peer))
  }
  /** True once `link` no longer matters: the transport closed or the peer's link was replaced. */
  private stale(link: Link): boolean {
    return this.closed || this.links.get(link.peer) !== link
  }

  private emit(peer: PeerId, fn: (events: TransportEvents) => void): void {
    const events = this.events
    if (events === undefined || this.closed) return
    try {
      fn(events)
    } catch (cause) {
      this.report(SecurityErrorCode.Internal, `a transport event handler threw: ${String(cause)}`, peer, cause)
    }
  }

  private track(p: Promise<void>): void {
    this.busy.add(p)
    void p.finally(() => this.busy.delete(p))
  }

  private report(code: SecurityErrorCode, message: string, peer: PeerId | undefined, cause?: unknown): void {
    this.reportError(new SecurityError(code, message, cause === undefined ? undefined : { cause }), peer)
  }

  private reportError(error: SecurityError, peer: PeerId | undefined): void {
    try {
      this.options.onError?.(error, peer)
    } catch {
      // An app's error callback must not break the link.
    }
  }
}
