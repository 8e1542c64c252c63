/** A host and a TCP port. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/**
 * Parses `host:port` (IPv6 in brackets: `[::1]:4000`). Throws a `TypeError` that names the bad
 * value, since a static peer list is configuration.
 */
export function parseHostPort(address: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address.trim())
  const port = m === null ? NaN : Number(m[3])
  const host = m?.[1] ?? m?.[2]
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`"${address}" is not host:port (e.g. 127.0.0.1:4000 or [::1]:4000)`)
  }
  return { host, port }
}

/** The `ws://` URL of a server at `hp`. */
export function wsUrl(hp: HostPort): string {
  return `ws://${hp.host.includes(':') ? `[${hp.host}]` : hp.host}:${hp.port}`
}

/** `host:port`, bracketing IPv6 hosts. */
export function formatHostPort(hp: HostPort): string {
  return `${hp.host.includes(':') ? `[${hp.host}]` : hp.host}:${hp.port}`
}
