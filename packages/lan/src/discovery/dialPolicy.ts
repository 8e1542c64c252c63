import { networkInterfaces } from 'node:os'

/** Which advertised addresses a peer dials (see {@link dialable}). */
export interface DialPolicy {
  /** The local interface address mDNS runs on. */
  readonly interface: string
  /** Its netmask (dotted quad); default: looked up in `os.networkInterfaces()`, else `255.255.255.0`. */
  readonly netmask?: string
  /** Dial ports below 1024 too. Default false: sship peers never listen there, other services do. */
  readonly allowLowPorts?: boolean
}

/** An IPv4 dotted quad as a 32-bit unsigned integer, or undefined if it is not one. */
export function ipv4ToInt(address: string): number | undefined {
  const parts = address.split('.')
  if (parts.length !== 4) return undefined
  let n = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined
    const b = Number(p)
    if (b > 255) return undefined
    n = n * 256 + b
  }
  return n
}

const LOOPBACK_NET = 0x7f000000
const LOOPBACK_MASK = 0xff000000

/**
 * The netmask of the local interface `address`, as `os.networkInterfaces()` reports it; undefined
 * if no interface has that address (e.g. a wildcard).
 */
export function netmaskOf(address: string): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) if (info.family === 'IPv4' && info.address === address) return info.netmask
  }
  return undefined
}

/**
 * Why an advertised `host:port` is not dialed, or undefined if it may be. An mDNS answer is an
 * unauthenticated multicast packet: without this, anyone on the LAN makes every peer dial any
 * address (another network, a multicast or broadcast address, a printer's port 80). A peer dials
 * only unicast IPv4 addresses on its interface's own subnet (neither the network nor the
 * broadcast address), loopback only if its interface is loopback, and ports from 1024 on unless
 * `allowLowPorts`. Pure apart from the netmask lookup when `policy.netmask` is not given.
 */
export function undialable(host: string, port: number, policy: DialPolicy): string | undefined {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${port} is not a port`
  if (port < 1024 && policy.allowLowPorts !== true) return `port ${port} is below 1024`
  const addr = ipv4ToInt(host)
  const self = ipv4ToInt(policy.interface)
  if (addr === undefined) return `${host} is not an IPv4 address`
  if (self === undefined) return `the interface ${policy.interface} is not an IPv4 address`
  const selfLoopback = ((self & LOOPBACK_MASK) >>> 0) === LOOPBACK_NET
  const addrLoopback = ((addr & LOOPBACK_MASK) >>> 0) === LOOPBACK_NET
  if (selfLoopback !== addrLoopback) return selfLoopback ? `${host} is not loopback (the interface is)` : `${host} is loopback (the interface is not)`
  if (selfLoopback) return undefined
  const mask = ipv4ToInt(policy.netmask ?? netmaskOf(policy.interface) ?? '255.255.255.0') ?? 0xffffff00
  if (((addr & mask) >>> 0) !== ((self & mask) >>> 0)) return `${host} is not on the interface's subnet`
  const hostBits = (addr & ~mask) >>> 0
  if (mask !== 0xffffffff && mask !== 0xfffffffe && (hostBits === 0 || hostBits === (~mask >>> 0))) return `${host} is the subnet's network or broadcast address`
  return undefined
}
