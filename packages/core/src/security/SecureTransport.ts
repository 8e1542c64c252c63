import { ConfigError } from '../errors/errors.js'
import type { PeerIdentity } from '../identity/PeerIdentity.js'
import type { PeerId } from '../ids/ids.js'
import type { Transport, TransportEvents } from '../transport/Transport.js'
import { deriveLinkKey, deriveRoomKeys, DEFAULT_PBKDF2_ITERATIONS, signProof, verifyProof, type RoomKeys } from './roomKeys.js'
import { checkLinkIdentity, ecdhSecret, newEcdhShare, signLinkIdentity } from './linkIdentity.js'
import { ReplayWindow } from './ReplayWindow.js'
import {
  counterIv, decodeSecureFrame, encodeData, encodeDataHeader, encodeHello, encodeIdentity, encodeProof, MAX_COUNTER, NONCE_BYTES, sameBytes,
  SecureFrameType, type SecureFrame
} from './secureFrames.js'
import { SecurityError, SecurityErrorCode } from './SecurityError.js'
import { LinkState, type Link } from './Link.js'
import type { SecureTransportOptions } from './SecureTransportOptions.js'

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
    if (options.identity !== undefined && options.identity.id !== inner.localPeer) {
      throw new ConfigError(`the inner transport's peer id ${inner.localPeer} is not identity.id ${options.identity.id}`)
    }
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
      ecdh: this.options.identity === undefined ? undefined : newEcdhShare().catch((cause: unknown) => {
        this.report(SecurityErrorCode.Internal, `generating an ECDH share failed: ${String(cause)}`, peer, cause)
        return undefined
      }),
      proofOk: false, step: undefined, sent: 0, window: new ReplayWindow(this.replayWindow), inbound: Promise.resolve(), outbound: Promise.resolve()
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
      case SecureFrameType.Identity: return this.onIdentity(keys, link, frame)
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
    if (this.options.identity !== undefined) await this.sendIdentity(this.options.identity, link, theirs)
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
    if (!ok) return this.fail(link, `peer ${link.peer} failed the handshake: it does not hold the room secret`)
    if (this.options.identity !== undefined) {
      link.proofOk = true
      return this.identityUp(keys, link)
    }
    await this.up(keys, link, theirs, undefined)
  }

  private async sendIdentity(identity: PeerIdentity, link: Link, theirs: Uint8Array): Promise<void> {
    const ecdh = await link.ecdh
    if (ecdh === undefined) return
    const signature = await signLinkIdentity(identity, link.peer, theirs, link.ours, ecdh.share)
    if (this.stale(link) || link.theirs !== theirs) return
    this.inner.send(link.peer, encodeIdentity(ecdh.share, identity.publicKey, signature))
  }

  private async onIdentity(keys: RoomKeys, link: Link, step: Extract<SecureFrame, { type: 4 }>): Promise<void> {
    if (this.options.identity === undefined || link.state !== LinkState.Handshaking || link.step !== undefined) return
    link.step = { type: step.type, ecdh: step.ecdh.slice(), key: step.key.slice(), signature: step.signature.slice() }
    await this.identityUp(keys, link)
  }

  /** With identities: once the room-secret proof and the identity step are both in, checks the step and brings the link up. */
  private async identityUp(keys: RoomKeys, link: Link): Promise<void> {
    const { step, theirs } = link
    const verifier = this.options.identity?.verifier
    if (!link.proofOk || step === undefined || theirs === undefined || verifier === undefined) return
    link.proofOk = false
    let check: Awaited<ReturnType<typeof checkLinkIdentity>>
    let shared: Uint8Array | undefined
    try {
      check = await checkLinkIdentity(verifier, link.peer, this.localPeer, link.ours, theirs, step)
      const ecdh = await link.ecdh
      shared = check === 'ok' && ecdh !== undefined ? await ecdhSecret(ecdh.privateKey, step.ecdh) : undefined
    } catch {
      check = 'bad-signature'
    }
    if (this.stale(link)) return
    if (check !== 'ok' || shared === undefined) {
      return this.fail(link, check === 'wrong-key'
        ? `peer ${link.peer} presented a key that is not the one of its GUID`
        : `peer ${link.peer} failed the identity step (bad signature or ECDH share)`)
    }
    await this.up(keys, link, theirs, shared)
  }

  private fail(link: Link, message: string): void {
    link.state = LinkState.Failed
    this.report(SecurityErrorCode.AuthFailed, message, link.peer)
  }

  private async up(keys: RoomKeys, link: Link, theirs: Uint8Array, shared: Uint8Array | undefined): Promise<void> {
    const [sendKey, recvKey] = await Promise.all([
      deriveLinkKey(keys, this.localPeer, link.peer, link.ours, theirs, shared),
      deriveLinkKey(keys, link.peer, this.localPeer, theirs, link.ours, shared)
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
