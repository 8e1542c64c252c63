/** Helpers of the SecureTransport tests: a tapping transport, a settle loop, byte search. */
import { asPeerId, type PeerId, type SecurityError, type Transport, type TransportEvents } from '@sship/core'
import { SecureTransport, type SecureTransportOptions } from '@sship/core/security'
import type { MemoryNetwork } from '@sship/core/testing'

/** Few PBKDF2 iterations: tests check the protocol, not the work factor. */
export const TEST_ITERATIONS = 1_000

/**
 * A transport between a {@link SecureTransport} and the memory network that records every
 * frame it carries, can rewrite or withhold outgoing frames, and can inject incoming ones.
 */
export class TapTransport implements Transport {
  /** Every frame sent through this tap, after `rewrite`. */
  readonly sent: Array<{ readonly to: PeerId; readonly data: Uint8Array }> = []
  /** Every frame received through this tap from the network. */
  readonly received: Array<{ readonly from: PeerId; readonly data: Uint8Array }> = []
  /** Rewrites an outgoing frame; `undefined` withholds it. Default: pass unchanged. */
  rewrite: (to: PeerId, data: Uint8Array) => Uint8Array | undefined = (_to, data) => data
  private events: TransportEvents | undefined

  constructor(readonly inner: Transport) {}

  get localPeer(): PeerId {
    return this.inner.localPeer
  }

  connect(events: TransportEvents): void {
    this.events = events
    this.inner.connect({
      peerJoined: (peer) => events.peerJoined(peer),
      peerLeft: (peer) => events.peerLeft(peer),
      frame: (from, data) => {
        this.received.push({ from, data: data.slice() })
        events.frame(from, data)
      }
    })
  }

  send(to: PeerId, data: Uint8Array): void {
    const out = this.rewrite(to, data)
    if (out === undefined) return
    this.sent.push({ to, data: out.slice() })
    this.inner.send(to, out)
  }

  peers(): ReadonlySet<PeerId> {
    return this.inner.peers()
  }

  close(): void {
    this.inner.close()
  }

  /** Delivers `data` to the owner as if it came from `from` over the network. */
  inject(from: PeerId, data: Uint8Array): void {
    this.events?.frame(from, data.slice())
  }
}

/** Records what a transport reports upward. */
export class Log implements TransportEvents {
  readonly joined: PeerId[] = []
  readonly left: PeerId[] = []
  readonly frames: Array<{ readonly from: PeerId; readonly data: Uint8Array }> = []
  peerJoined(peer: PeerId): void {
    this.joined.push(peer)
  }
  peerLeft(peer: PeerId): void {
    this.left.push(peer)
  }
  frame(from: PeerId, data: Uint8Array): void {
    this.frames.push({ from, data })
  }
  /** Frames from `from` as text. */
  textFrom(from: PeerId): string[] {
    return this.frames.filter((f) => f.from === from).map((f) => new TextDecoder().decode(f.data))
  }
}

/** One secure peer on `network`, with its tap and its reported errors. */
export interface SecureNode {
  readonly id: PeerId
  readonly tap: TapTransport
  readonly secure: SecureTransport
  readonly errors: Array<{ readonly error: SecurityError; readonly peer: PeerId | undefined }>
}

/** Makes a secure peer `id` on `network` holding `secret` (not connected yet). */
export function secureNode(network: MemoryNetwork, id: string, secret: string, options: Partial<SecureTransportOptions> = {}): SecureNode {
  const peer = asPeerId(id)
  const tap = new TapTransport(network.transport(peer))
  const errors: SecureNode['errors'] = []
  const secure = new SecureTransport(tap, {
    secret,
    appName: 'test-app',
    iterations: TEST_ITERATIONS,
    onError: (error, from) => errors.push({ error, peer: from }),
    ...options
  })
  return { id: peer, tap, secure, errors }
}

/**
 * Lets the network and WebCrypto run until nothing is in flight: flush the network, wait for
 * every transport's crypto, repeat; bounded by `rounds`.
 */
export async function settle(network: MemoryNetwork, transports: readonly SecureTransport[], rounds = 100): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    network.flush()
    await Promise.all(transports.map((t) => t.idle()))
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (network.inFlight() === 0) return
  }
}

/** True if `needle` occurs in `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}
