import type { Clock, PeerId } from '@sship/core'
import type { MulticastCounters } from './MulticastChannel.js'

/** Options of {@link MdnsDiscovery}. */
export interface MdnsDiscoveryOptions {
  /** The app to advertise and browse for (TXT `app`); peers of other apps are ignored. */
  readonly app: string
  /** The local peer's GUID (TXT `id`). */
  readonly peerId: PeerId
  /**
   * The local IPv4 address multicast is sent from, e.g. `127.0.0.1` (tests, one machine) or the
   * address of the network card (a real LAN). Required: there is deliberately no default.
   */
  readonly interface: string
  /** The address the mDNS socket binds to. Default `0.0.0.0` (needed to receive group traffic). */
  readonly bind?: string
  /** The mDNS UDP port. Default 5353; tests use a random high port shared by their peers. */
  readonly port?: number
  /** The multicast group. Default `224.0.0.251`. */
  readonly group?: string
  /** The address to advertise. Default: the server's bind host, else `interface` (never a wildcard). */
  readonly address?: string
  /** TTL of our records, in seconds; a peer not refreshed for this long is dropped. Default 120. */
  readonly ttlSeconds?: number
  /** When to announce after start, in ms from start. Default `[0, 1000, 2000]`. */
  readonly announceDelaysMs?: readonly number[]
  /** Interval of the periodic browse query. Default 10 000 ms. */
  readonly queryIntervalMs?: number
  /** Our answer to queries is multicast at most once per this many ms (RFC 6762 §6). Default 1000. */
  readonly answerIntervalMs?: number
  /** Accept records for ports below 1024. Default false (see `undialable`). */
  readonly allowLowPorts?: boolean
  /** Most peers listed at once; records of further peers are ignored. Default 256. */
  readonly maxPeers?: number
  /** Time source for every timer. Default the system clock. */
  readonly clock?: Clock
  /** Called for every send error, warning and fatal socket error; discovery keeps running unless fatal. */
  readonly onError?: (error: Error) => void
}

/** Counters of a {@link MdnsDiscovery}. */
export interface DiscoveryStats extends MulticastCounters {
  /** `found` events reported. */
  found: number
  /** `lost` events reported. */
  lost: number
  /** Records ignored: an address not to dial (another subnet, multicast, a low port) or over `maxPeers`. */
  refused: number
  /** The last error seen, if any. */
  lastError: string | undefined
}
