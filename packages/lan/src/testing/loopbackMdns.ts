import { createSocket } from 'node:dgram'

/**
 * The mDNS settings every test uses: multicast is sent from the loopback address only, and the
 * UDP port is a free high port chosen per test, so tests never talk to the real 5353 (nor to
 * each other). Never pass the machine's LAN address here. Pass `interface`, `bind` and `port`
 * to `joinLan` (`interface`, `mdnsBind`, `mdnsPort`) or to `sship` (`--interface`, `--mdns-port`).
 */
export interface LoopbackMdns {
  readonly interface: '127.0.0.1'
  readonly bind: '0.0.0.0'
  readonly port: number
}

/** A free UDP port on loopback, found by binding port 0 and releasing it. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => resolve())
  })
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

/** Loopback mDNS settings on a fresh port. */
export async function loopbackMdns(): Promise<LoopbackMdns> {
  return { interface: '127.0.0.1', bind: '0.0.0.0', port: await freeUdpPort() }
}
