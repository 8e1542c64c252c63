import type { Transport } from '@sship/core'
import { SecureTransport, type SecureTransportOptions } from '@sship/core/security'
import type { LanTransport } from './LanTransport.js'
import type { LanTransportStats } from './LanTransportStats.js'
import type { HostPort } from './peerAddress.js'

/**
 * What {@link joinLan} hands out as `transport`: a core `Transport` plus the LAN transport's
 * counters, address and cut hook. A {@link LanTransport} is one; so is a {@link SecureLanTransport}.
 */
export interface LanPeerTransport extends Transport {
  /** Where the WebSocket server listens, once it does. */
  readonly address: HostPort | undefined
  /** The LAN transport's counters (socket bytes include the encryption overhead). */
  stats(): LanTransportStats
  /** Test hook: destroys the sockets of the links to `peer` (or all); see {@link LanTransport.cut}. */
  cut(peer?: Parameters<LanTransport['cut']>[0]): number
}

/**
 * A {@link SecureTransport} over a {@link LanTransport}: only peers that prove they hold the room
 * secret are reported joined, and every frame on the socket is AES-GCM. The LAN-level link of a
 * peer with another secret stays open but carries nothing (so it is not redialed in a loop);
 * the refusal is reported once per link, on both sides, as a `SecurityError` with code
 * `auth-failed`. {@link SecureLanTransport.close} closes the LAN transport too.
 */
export class SecureLanTransport extends SecureTransport implements LanPeerTransport {
  constructor(readonly lan: LanTransport, options: SecureTransportOptions) {
    super(lan, options)
  }

  get address(): HostPort | undefined {
    return this.lan.address
  }

  stats(): LanTransportStats {
    return this.lan.stats()
  }

  cut(peer?: Parameters<LanTransport['cut']>[0]): number {
    return this.lan.cut(peer)
  }
}
