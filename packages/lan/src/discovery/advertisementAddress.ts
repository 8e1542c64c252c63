const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]'])

/** True if `host` means "every interface" rather than one address. */
export function isWildcard(host: string): boolean {
  return WILDCARDS.has(host)
}

/**
 * The address to advertise for a server bound to `host`: that address itself, or, for a server
 * bound to every interface, the address multicast is sent from (the one peers on that network
 * can reach). Never a wildcard.
 */
export function advertisementAddress(host: string, multicastInterface: string): string {
  if (!isWildcard(host)) return host
  if (!isWildcard(multicastInterface)) return multicastInterface
  throw new TypeError('cannot advertise a server bound to every interface without a concrete multicast interface address')
}
