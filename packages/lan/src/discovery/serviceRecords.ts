import type { Answer } from 'dns-packet'
import { asPeerId, type PeerId } from '@sship/core'

/**
 * The DNS-SD layout of an sship advertisement, as pure functions (no sockets): build the records
 * a peer announces, and read the instances out of a response packet.
 *
 * ```text
 * PTR  _sship._tcp.local            → <label>._sship._tcp.local
 * SRV  <label>._sship._tcp.local    → port, target <label>.local
 * TXT  <label>._sship._tcp.local    → app=<app> id=<peer GUID> v=<protocol version> [addr=<address>]
 * A    <label>.local                → <address>
 * ```
 *
 * `<label>` is the peer GUID when it is a valid DNS label, else a hash of it; the TXT `id` always
 * carries the GUID itself.
 */

/** The DNS-SD service type every sship peer advertises. */
export const SERVICE_TYPE = '_sship._tcp.local'

/** What one peer advertises. */
export interface Advertisement {
  /** The app's name (TXT `app`). */
  readonly app: string
  /** The peer's GUID (TXT `id`). */
  readonly peerId: PeerId
  /** The sship protocol version (TXT `v`). */
  readonly version: number
  /** The WebSocket port (SRV). */
  readonly port: number
  /** The IPv4 address the peer's WebSocket server is reachable at (A, and TXT `addr`). */
  readonly address: string
}

/** One instance read from a response: whatever the packet said about it. */
export interface ParsedInstance {
  /** The full instance name, e.g. `abc._sship._tcp.local`. */
  readonly instance: string
  /** Smallest TTL (seconds) among its records in this packet; 0 means goodbye. */
  readonly ttl: number
  readonly peerId?: PeerId
  readonly app?: string
  readonly version?: number
  readonly port?: number
  /** From the A record of the SRV target, else TXT `addr`. */
  readonly host?: string
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/

/** The DNS label used for `peerId`: the GUID itself when it is a valid label, else `p-<hash>`. */
export function instanceLabel(peerId: PeerId): string {
  if (LABEL.test(peerId)) return peerId
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < peerId.length; i++) {
    const c = peerId.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0
  }
  return `p-${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`
}

/** The instance name of `peerId`'s advertisement. */
export function instanceName(peerId: PeerId): string {
  return `${instanceLabel(peerId)}.${SERVICE_TYPE}`
}

/** The SRV target host name of `peerId`. */
export function targetName(peerId: PeerId): string {
  return `${instanceLabel(peerId)}.local`
}

/** The records of `ad`, every one with time-to-live `ttl` seconds (0 for a goodbye). */
export function advertisementRecords(ad: Advertisement, ttl: number): Answer[] {
  const instance = instanceName(ad.peerId)
  const target = targetName(ad.peerId)
  return [
    { name: SERVICE_TYPE, type: 'PTR', ttl, data: instance },
    { name: instance, type: 'SRV', ttl, flush: true, data: { port: ad.port, target, priority: 0, weight: 0 } },
    { name: instance, type: 'TXT', ttl, flush: true, data: [`app=${ad.app}`, `id=${ad.peerId}`, `v=${ad.version}`, `addr=${ad.address}`] },
    { name: target, type: 'A', ttl, flush: true, data: ad.address }
  ]
}

/** True if `name` is the PTR question a browser asks (case-insensitive, as DNS names are). */
export function isServiceQuestion(name: string, type: string): boolean {
  return name.toLowerCase() === SERVICE_TYPE && (type === 'PTR' || type === 'ANY')
}

/** Reads TXT data (strings, buffers, or a list of them) as `key=value` pairs. */
export function parseTxt(data: unknown): Map<string, string> {
  const out = new Map<string, string>()
  const items = Array.isArray(data) ? data : [data]
  for (const item of items) {
    const s = typeof item === 'string' ? item : item instanceof Uint8Array ? new TextDecoder().decode(item) : undefined
    if (s === undefined) continue
    const eq = s.indexOf('=')
    if (eq > 0) out.set(s.slice(0, eq).toLowerCase(), s.slice(eq + 1))
  }
  return out
}

const lower = (s: string): string => s.toLowerCase()

/**
 * Every sship instance named by a PTR record in `records` (answers and additionals of one
 * response), with what the same packet says about its SRV, TXT and A records. Never throws:
 * malformed records are skipped.
 */
export function parseInstances(records: readonly Answer[]): ParsedInstance[] {
  const instances = new Map<string, number>()
  for (const r of records) {
    if (r.type === 'PTR' && lower(r.name) === SERVICE_TYPE && typeof r.data === 'string') {
      instances.set(lower(r.data), Math.min(r.ttl ?? 0, instances.get(lower(r.data)) ?? Infinity))
    }
  }
  const out: ParsedInstance[] = []
  for (const [instance, ptrTtl] of instances) {
    let ttl = ptrTtl
    let port: number | undefined
    let target: string | undefined
    let txt: Map<string, string> | undefined
    for (const r of records) {
      if (lower(r.name) !== instance) continue
      if (r.type === 'SRV' && typeof r.data === 'object' && r.data !== null && 'port' in r.data) {
        port = r.data.port
        target = lower(r.data.target)
        ttl = Math.min(ttl, r.ttl ?? 0)
      } else if (r.type === 'TXT') {
        txt = parseTxt(r.data)
        ttl = Math.min(ttl, r.ttl ?? 0)
      }
    }
    const a = target === undefined ? undefined : records.find((r) => r.type === 'A' && lower(r.name) === target)
    const host = a?.type === 'A' && typeof a.data === 'string' ? a.data : txt?.get('addr')
    const id = txt?.get('id')
    const version = txt?.get('v')
    out.push({
      instance,
      ttl,
      ...(id !== undefined && id.length > 0 && id.length <= 128 ? { peerId: asPeerId(id) } : {}),
      ...(txt?.get('app') !== undefined ? { app: txt.get('app') } : {}),
      ...(version !== undefined && /^\d+$/.test(version) ? { version: Number(version) } : {}),
      ...(port !== undefined && port > 0 && port < 65536 ? { port } : {}),
      ...(host !== undefined && host.length > 0 ? { host } : {})
    })
  }
  return out
}
