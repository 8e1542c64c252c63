import { ConfigError } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import type { Transport, TransportEvents } from '../transport/Transport.js'
import { deriveLinkKey, deriveRoomKeys, DEFAULT_PBKDF2_ITERATIONS, signProof, verifyProof, type RoomKeys } from './roomKeys.js'
import { ReplayWindow } from './ReplayWindow.js'
import {
  counterIv, decodeSecureFrame, encodeData, encodeDataHeader, encodeHello, encodeProof, MAX_COUNTER, NONCE_BYTES, sameBytes,
  SecureFrameType, type SecureFrame
} from './secureFrames.js'
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
}

const LinkState = { Handshaking: 'handshaking', Up: 'up', Failed: 'failed' } as const
type LinkState = (typeof LinkState)[keyof typeof LinkState]

/** One session with one peer, from the inner `peerJoined` (or its first Hello) to `peerLeft`. */
interface Link {
  readonly peer: PeerId
  readonly ours: Uint8Array
  theirs: Uint8Array | undefined
  state: LinkState
  /** A Proof that arrived before the peer's Hello (a reordering inner transport). */
  early: Uint8Array | undefined
  sendKey: CryptoKey | undefined
  recvKey: CryptoKey | undefined
  sent: number
  readonly window: ReplayWindow
  /** Incoming frames are handled one at a time, in arrival order. */
  inbound: Promise<void>
  /** Encrypted frames go to the inner transport in counter order. */
  outbound: Promise<void>
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
 * WebCrypto is asynchronous, so events reach the owner a few event-loop turns after the inner
 * ones; tests await {@link SecureTransport.idle} between network steps. The handshake is not
 * retransmitted: an inner transport that loses frames can leave a link handshaking until the
 * inner link rejoins.
 */
export class SecureTransport implements Transport {
  readonly localPeer: PeerId
  private readonly keys: Promise<RoomKeys | undefined>
  private readonly links = new Map<PeerId, Link>()
  private readonly joined = new Set<PeerId>()
  private readonly busy = new Set<Promise<void>>()
  private readonly replayWindow: number
  private readonly randomBytes: (length: number) => Uint8Array
  private events: TransportEvents | undefined
  private closed = false

  /** Throws a {@link ConfigError} for an empty secret or app name, or bad numbers. Starts deriving keys at once. */
  constructor(private readonly inner: Transport, private readonly options: SecureTransportOptions) {
    const { secret, appName, iterations = DEFAULT_PBKDF2_ITERATIONS, replayWindow = 64 } = options
    if (secret.length === 0) throw new ConfigError('SecureTransport needs a non-empty secret')
    if (appName.length === 0) throw new ConfigError('SecureTransport needs the app name (it salts the keys)')
    if (!Number.isSafeInteger(iterations) || iterations < 1) throw new ConfigError(`iterations must be a positive integer, got ${iterations}`)
    if (!Number.isSafeInteger(replayWindow) || replayWindow < 0) throw new ConfigError(`replayWindow must be an integer >= 0, got ${replayWindow}`)
    this.localPeer = inner.localPeer
    this.replayWindow = replayWindow
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
    if (this.closed || link?.state !== LinkState.Up || link.sendKey === undefined) return
    if (link.sent >= MAX_COUNTER) {
      this.report(SecurityErrorCode.Internal, 'send counter exhausted; the link must rejoin', to)
      return
    }
    const counter = ++link.sent
    const header = encodeDataHeader(counter)
    // Encrypt now (WebCrypto copies `data` synchronously), send in counter order.
    const sealed = globalThis.crypto.subtle
      .encrypt({ name: 'AES-GCM', iv: counterIv(counter), additionalData: header }, link.sendKey, new Uint8Array(data))
      .then((ct) => new Uint8Array(ct), (cause: unknown) => new SecurityError(SecurityErrorCode.Internal, 'encryption failed', { cause }))
    link.outbound = link.outbound.then(async () => {
      const ciphertext = await sealed
      if (ciphertext instanceof SecurityError) this.reportError(ciphertext, to)
      else if (!this.stale(link)) this.inner.send(to, encodeData(header, ciphertext))
    }).catch((cause: unknown) => this.report(SecurityErrorCode.Internal, `sending a frame failed: ${String(cause)}`, to, cause))
    this.track(link.outbound)
  }

  peers(): ReadonlySet<PeerId> {
    return this.joined
  }

  close(): void {
    if (this.closed) return
    this.closed = true
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
    // A handshake under way may already hold the peer's Hello; a restarted peer sends a new nonce.
    if (this.closed || old?.state === LinkState.Handshaking) return
    if (old?.state === LinkState.Up) this.leave(peer)
    this.startLink(peer)
  }

  private onInnerLeft(peer: PeerId): void {
    const link = this.links.get(peer)
    this.links.delete(peer)
    if (link?.state === LinkState.Up) this.leave(peer)
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
    const ours = this.randomBytes(NONCE_BYTES).slice()
    const link: Link = {
      peer, ours, theirs: undefined, state: LinkState.Handshaking, early: undefined, sendKey: undefined, recvKey: undefined,
      sent: 0, window: new ReplayWindow(this.replayWindow), inbound: Promise.resolve(), outbound: Promise.resolve()
    }
    this.links.set(peer, link)
    this.inner.send(peer, encodeHello(ours, undefined))
    return link
  }

  private async handle(link: Link, data: Uint8Array): Promise<void> {
    const keys = await this.keys
    if (keys === undefined || this.stale(link)) return
    const frame = decodeSecureFrame(data)
    if (frame.type === 'malformed') return this.report(SecurityErrorCode.Malformed, frame.reason, link.peer)
    switch (frame.type) {
      case SecureFrameType.Hello: return this.onHello(keys, link, frame)
      case SecureFrameType.Proof: return this.onProof(keys, link, frame.mac)
      case SecureFrameType.Data: return this.onData(link, frame)
    }
  }

  private async onHello(keys: RoomKeys, link: Link, hello: Extract<SecureFrame, { type: 1 }>): Promise<void> {
    // An established session ends only with the inner link, so a forged Hello cannot reset it.
    if (link.state !== LinkState.Handshaking) return
    if (!sameBytes(hello.echo, link.ours)) this.inner.send(link.peer, encodeHello(link.ours, hello.nonce))
    if (sameBytes(link.theirs, hello.nonce)) return
    const theirs = hello.nonce.slice()
    link.theirs = theirs
    const mac = await signProof(keys, this.localPeer, link.peer, theirs, link.ours)
    if (this.stale(link) || link.theirs !== theirs) return
    this.inner.send(link.peer, encodeProof(mac))
    const early = link.early
    link.early = undefined
    if (early !== undefined) await this.onProof(keys, link, early)
  }

  private async onProof(keys: RoomKeys, link: Link, mac: Uint8Array): Promise<void> {
    if (link.state !== LinkState.Handshaking) return
    const theirs = link.theirs
    if (theirs === undefined) {
      link.early = mac.slice()
      return
    }
    const ok = await verifyProof(keys, link.peer, this.localPeer, link.ours, theirs, mac)
    if (this.stale(link)) return
    if (!ok) {
      link.state = LinkState.Failed
      return this.report(SecurityErrorCode.AuthFailed, `peer ${link.peer} failed the handshake: it does not hold the room secret`, link.peer)
    }
    const [sendKey, recvKey] = await Promise.all([
      deriveLinkKey(keys, this.localPeer, link.peer, link.ours, theirs),
      deriveLinkKey(keys, link.peer, this.localPeer, theirs, link.ours)
    ])
    if (this.stale(link)) return
    link.sendKey = sendKey
    link.recvKey = recvKey
    link.state = LinkState.Up
    this.joined.add(link.peer)
    this.emit(link.peer, (e) => e.peerJoined(link.peer))
  }

  private async onData(link: Link, frame: Extract<SecureFrame, { type: 3 }>): Promise<void> {
    // Before the handshake completes there is no key: a benign race, or a stale session.
    if (link.state !== LinkState.Up || link.recvKey === undefined) return
    const { counter } = frame
    if (link.window.check(counter) !== 'fresh') return this.report(SecurityErrorCode.Replay, `counter ${counter} was replayed or is too old`, link.peer)
    let plain: ArrayBuffer
    try {
      plain = await globalThis.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: counterIv(counter), additionalData: new Uint8Array(frame.header) },
        link.recvKey,
        new Uint8Array(frame.ciphertext)
      )
    } catch (cause) {
      if (this.stale(link)) return
      return this.report(SecurityErrorCode.DecryptFailed, `frame ${counter} failed authentication`, link.peer, cause)
    }
    if (this.stale(link)) return
    link.window.accept(counter)
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
