import { asPeerId, ConfigError, type Clock, type PeerId, type Random } from '@sship/core'
import type { PeerIdentity, SecureTransportOptions } from '@sship/core/security'
import { cryptoRandom } from '@sship/core/internals'
import { MdnsDiscovery } from '../discovery/MdnsDiscovery.js'
import type { MdnsDiscoveryOptions } from '../discovery/MdnsDiscoveryOptions.js'
import { LanTransport } from '../transport/LanTransport.js'
import type { LanTransportOptions } from '../transport/LanTransportOptions.js'
import type { HostPort } from '../transport/peerAddress.js'
import { SecureLanTransport, type LanPeerTransport } from '../transport/SecureLanTransport.js'
import { firstLanAddress } from './lanAddress.js'
import { newPeerGuid } from './peerGuid.js'

/** Options of {@link joinLan}. */
export interface JoinLanOptions {
  /**
   * The local IPv4 address to use: mDNS is sent from it and the WebSocket server binds to it
   * (e.g. `127.0.0.1` for peers on this machine only). Required unless `lan` is true.
   */
  readonly interface?: string
  /** Explicitly opt in to this machine's first LAN address when `interface` is not given. */
  readonly lan?: boolean
  /**
   * The peer's GUID (keep it across restarts to keep its place in the successorship list).
   * Default: `identity.id` with an identity, otherwise a new one.
   */
  readonly peerId?: string
  /**
   * This peer's key pair (e.g. `createIdentity(label)`, or `loadOrCreateIdentity(dir, label)` from
   * `@sship/persist` to keep it across restarts). The peer id becomes `identity.id`, a
   * self-certifying `<label>~<fingerprint>` GUID, and every secure link is bound to it: a peer is
   * reported joined only once it proves the key of its GUID (see `SecureTransportOptions.identity`),
   * so another member cannot take this peer's GUID. Needs `secret` (the identity step is part of the
   * secure handshake); pass the same identity to `initServer`/`connect` so terms, decisions and
   * requests are signed. Every member of the room must have one.
   */
  readonly identity?: PeerIdentity
  /** WebSocket server bind address. Default: the interface address. */
  readonly host?: string
  /** WebSocket server port. Default 0 (ephemeral). */
  readonly port?: number
  /** Run a WebSocket server. Default true; false for a dial-only client. */
  readonly listen?: boolean
  /** Find peers with mDNS. Default true. */
  readonly mdns?: boolean
  /** mDNS UDP port. Default 5353; tests pass a random high port shared by their peers. */
  readonly mdnsPort?: number
  /** mDNS socket bind address. Default `0.0.0.0`. */
  readonly mdnsBind?: string
  /** Static peers (`host:port`), dialed in addition to discovered ones. */
  readonly peers?: readonly string[]
  /** Discovery tuning: TTL, announcement schedule, browse interval. */
  readonly discovery?: Pick<MdnsDiscoveryOptions, 'ttlSeconds' | 'announceDelaysMs' | 'queryIntervalMs' | 'group'>
  /** Transport tuning: backoff, keepalive, handshake timeout, fallback dial delay, frame limit. */
  readonly transport?: Pick<LanTransportOptions, 'backoff' | 'maxDialFailures' | 'fallbackDialMs' | 'handshakeTimeoutMs' | 'keepaliveMs' | 'maxFrameBytes'>
  /**
   * The room secret. When given, every link is wrapped in a {@link SecureLanTransport}: a peer
   * joins only after proving it holds the same secret (challenge–response; the secret never goes
   * on the wire), every frame is encrypted and authenticated, and a peer with another secret is
   * refused on both sides (`onError` gets a `SecurityError` with code `auth-failed`). Use a
   * high-entropy secret: see docs/security.md.
   */
  readonly secret?: string | Uint8Array
  /** Tuning of the secure links (PBKDF2 iterations — every member must agree —, replay window, handshake retransmission). */
  readonly security?: Pick<SecureTransportOptions, 'iterations' | 'replayWindow' | 'handshakeRetryMs' | 'handshakeRetries'>
  /** Time source. Default the system clock. */
  readonly clock?: Clock
  /** Randomness (GUID, jitter, session). Default WebCrypto. */
  readonly random?: Random
  /** Errors from sockets, handshakes and discovery; everything keeps running. */
  readonly onError?: (error: Error, peer: PeerId | undefined) => void
}

/** A peer's LAN presence, made by {@link joinLan}: pass `transport` to `initServer` or `connect`. */
export interface LanPeer {
  /** The peer's GUID (also `transport.localPeer`). */
  readonly peerId: PeerId
  /** The app's name. */
  readonly app: string
  /**
   * The transport to hand to `initServer(app, { transport })` or `connect(app, { transport })`:
   * the {@link LanTransport}, or with a `secret` a {@link SecureLanTransport} over it.
   */
  readonly transport: LanPeerTransport
  /** The LAN transport underneath (the same object as `transport` without a secret). */
  readonly lanTransport: LanTransport
  /** True if the links are secured with a room secret. */
  readonly secure: boolean
  /** The peer's key pair when it joined with one (its id is `peerId`). */
  readonly identity: PeerIdentity | undefined
  /** The mDNS discovery (started when the transport connects), unless `mdns: false`. */
  readonly discovery: MdnsDiscovery | undefined
  /** The interface address in use. */
  readonly interface: string
  /** Where the WebSocket server listens (undefined for `listen: false`). */
  readonly address: HostPort | undefined
  /** Closes the transport and waits for the server to stop and the mDNS goodbye to go out. Idempotent. */
  close(): Promise<void>
}

/**
 * Sets up zero-config LAN networking for one peer of app `app`: a {@link LanTransport} whose
 * server is already listening, with an {@link MdnsDiscovery} that advertises it and browses for
 * the app's other peers once the transport connects (that is, once `initServer` or `connect`
 * builds a peer on it).
 *
 * @example
 * ```ts
 * const lan = await joinLan('todo', { interface: '127.0.0.1', secret: process.env.TODO_SECRET })
 * const server = initServer('todo', { transport: lan.transport })
 * // ...
 * server.stop()
 * await lan.close()
 * ```
 */
export async function joinLan(app: string, options: JoinLanOptions): Promise<LanPeer> {
  const iface = options.interface ?? (options.lan === true ? firstLanAddress() : undefined)
  if (iface === undefined) {
    throw new TypeError('joinLan needs `interface` (e.g. "127.0.0.1" for this machine only), or `lan: true` to use the LAN address explicitly')
  }
  if (options.secret !== undefined && options.secret.length === 0) throw new ConfigError('joinLan: the room secret is empty')
  const identity = options.identity
  if (identity !== undefined && options.secret === undefined) {
    throw new ConfigError('joinLan: an identity needs a room secret (`secret`): the link is bound to the GUID inside the secure handshake')
  }
  if (identity !== undefined && options.peerId !== undefined && options.peerId !== identity.id) {
    throw new ConfigError(`joinLan: peerId ${options.peerId} is not identity.id ${identity.id}; drop peerId (the identity's GUID is the peer id)`)
  }
  const random = options.random ?? cryptoRandom
  const peerId = identity?.id ?? (options.peerId === undefined ? newPeerGuid(random) : asPeerId(options.peerId))
  const discovery = options.mdns === false ? undefined : new MdnsDiscovery({
    ...options.discovery,
    app, peerId, interface: iface, bind: options.mdnsBind ?? '0.0.0.0', port: options.mdnsPort ?? 5353,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    onError: (e) => options.onError?.(e, undefined)
  })
  const transport = new LanTransport({
    ...options.transport,
    app, peerId, host: options.host ?? iface, port: options.port ?? 0,
    listen: options.listen ?? true,
    peers: options.peers ?? [],
    random,
    ...(discovery === undefined ? {} : { directory: discovery }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.onError === undefined ? {} : { onError: options.onError })
  })
  let address: HostPort | undefined
  try {
    if (options.listen !== false) address = await transport.listen()
  } catch (error) {
    await transport.shutdown()
    throw error
  }
  const secure = options.secret === undefined ? undefined : new SecureLanTransport(transport, {
    ...options.security,
    secret: options.secret, appName: app,
    ...(identity === undefined ? {} : { identity }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.onError === undefined ? {} : { onError: options.onError })
  })
  // Derive the room keys (PBKDF2, deliberately slow) before the caller starts a peer, so the
  // join grace is spent on discovery and the handshake, not on key derivation.
  await secure?.idle()
  return {
    peerId, app, transport: secure ?? transport, lanTransport: transport, secure: secure !== undefined, identity, discovery, interface: iface, address,
    close: () => {
      secure?.close()
      return transport.shutdown()
    }
  }
}
