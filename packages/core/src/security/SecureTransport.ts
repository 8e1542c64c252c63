import { systemClock } from '../clock/Clock.js'
import { ConfigError } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import { combineTransports, type TransportOption } from '../transport/CombinedTransport.js'
import type { LeaveReason, Transport, TransportEvents } from '../transport/Transport.js'
import { deriveRoomKeys, DEFAULT_PBKDF2_ITERATIONS, type RoomKeys } from './roomKeys.js'
import { counterIv, decodeSecureFrame, encodeData, encodeDataHeader, MAX_COUNTER, SecureFrameType, type SecureFrame } from './secureFrames.js'
import { SecureTransportHandshake } from './SecureTransportHandshake.js'
import type { Link } from './SecureTransportLink.js'
import type { SecureTransportOptions } from './SecureTransportOptions.js'
import { SecurityError, SecurityErrorCode } from './SecurityError.js'

export type { SecureTransportOptions } from './SecureTransportOptions.js'

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
  private readonly handshake: SecureTransportHandshake
  private events: TransportEvents | undefined
  private closed = false

  private readonly inner: Transport

  /**
   * Over one inner transport or several (combined as `PeerOptions.transport` does). Throws a
   * {@link ConfigError} for an empty secret or app name, or bad numbers. Starts deriving keys at once.
   */
  constructor(inner: TransportOption, private readonly options: SecureTransportOptions) {
    this.inner = combineTransports(inner)
    const { secret, appName, iterations = DEFAULT_PBKDF2_ITERATIONS, replayWindow = 64, handshakeRetryMs = 500, handshakeRetries = 8 } = options
    if (secret.length === 0) throw new ConfigError('SecureTransport needs a non-empty secret')
    if (appName.length === 0) throw new ConfigError('SecureTransport needs the app name (it salts the keys)')
    if (!Number.isSafeInteger(iterations) || iterations < 1) throw new ConfigError(`iterations must be a positive integer, got ${iterations}`)
    if (!Number.isSafeInteger(replayWindow) || replayWindow < 0) throw new ConfigError(`replayWindow must be an integer >= 0, got ${replayWindow}`)
    if (!(handshakeRetryMs > 0)) throw new ConfigError(`handshakeRetryMs must be positive, got ${handshakeRetryMs}`)
    if (!Number.isSafeInteger(handshakeRetries) || handshakeRetries < 0) throw new ConfigError(`handshakeRetries must be an integer >= 0, got ${handshakeRetries}`)
    this.localPeer = this.inner.localPeer
    if (options.identity !== undefined && options.identity.id !== this.localPeer) {
      throw new ConfigError(`the inner transport's peer id ${this.localPeer} is not identity.id ${options.identity.id}`)
    }
    this.handshake = new SecureTransportHandshake({
      localPeer: this.localPeer,
      send: (peer, data) => this.inner.send(peer, data),
      stale: (link) => this.stale(link),
      report: (code, message, peer, cause) => this.report(code, message, peer, cause),
      track: (work) => this.track(work),
      established: (link, rekeyed) => {
        // A new session is a new incarnation of the link for the owner: it resyncs as after a rejoin.
        if (rekeyed) this.leave(link.peer)
        this.joined.add(link.peer)
        this.emit(link.peer, (e) => e.peerJoined(link.peer))
      }
    }, {
      clock: options.clock ?? systemClock, retryMs: handshakeRetryMs, retries: handshakeRetries, replayWindow, identity: options.identity,
      randomBytes: options.randomBytes ?? ((n) => globalThis.crypto.getRandomValues(new Uint8Array(n)))
    })
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
      peerLeft: (peer, reason) => this.onInnerLeft(peer, reason),
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

  /** As the inner transport: a dead peer's inner link closes, and so does its secure link. */
  get closesOnCrash(): boolean {
    return this.inner.closesOnCrash === true
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const link of this.links.values()) this.handshake.disarm(link.handshake)
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

  private onInnerLeft(peer: PeerId, reason?: LeaveReason): void {
    this.drop(peer, reason)
  }

  /** Forgets the link to `peer`, reporting it left if it was up. */
  private drop(peer: PeerId, reason?: LeaveReason): void {
    const link = this.links.get(peer)
    if (link === undefined) return
    this.handshake.disarm(link.handshake)
    this.links.delete(peer)
    if (link.session !== undefined) this.leave(peer, reason)
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
    // In the map before the Hello goes out: an inner transport may deliver synchronously.
    const link = this.handshake.start(peer, (l) => this.links.set(peer, l))
    return link
  }

  private async handle(link: Link, data: Uint8Array): Promise<void> {
    const keys = await this.keys
    if (keys === undefined || this.stale(link)) return
    const frame = decodeSecureFrame(data)
    if (frame.type === 'malformed') {
      if (link.failed !== undefined) return
      // Before any session, a frame that is not a secure frame comes from a peer without a secret.
      if (link.session === undefined && link.handshake !== undefined) {
        return this.handshake.fail(link, link.handshake, `peer ${link.peer} does not speak the secure handshake (${frame.reason}): it has no room secret`)
      }
      return this.report(SecurityErrorCode.Malformed, frame.reason, link.peer)
    }
    switch (frame.type) {
      case SecureFrameType.Hello: return this.handshake.onHello(keys, link, frame)
      case SecureFrameType.Proof: return this.handshake.onProof(keys, link, frame.mac)
      case SecureFrameType.Data: return this.onData(link, frame)
      case SecureFrameType.Identity: return this.handshake.onIdentity(keys, link, frame)
    }
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

  private leave(peer: PeerId, reason?: LeaveReason): void {
    this.joined.delete(peer)
    this.emit(peer, (e) => e.peerLeft(peer, reason))
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
      // A link that did not prove the secret is worth an event; a bad frame on a good link is not.
      if (error.code === SecurityErrorCode.AuthFailed || error.code === SecurityErrorCode.HandshakeTimeout) this.events?.refused?.(peer, error.code, error.message)
    } catch {
      // An app's error callback must not break the link.
    }
  }
}
