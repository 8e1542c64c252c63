import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/** Every namespace a lab creates is named `sship-nt-<creator pid>-<tag>-…`, so leftovers can be found. */
export const NETNS_PREFIX = 'sship-nt-'
/** The device name of each peer's end of its veth pair (inside the peer's namespace). */
export const PEER_DEVICE = 'eth0'
const IP_TIMEOUT_MS = 10_000

/** One simulated host: a network namespace with `lo` and one veth to the lab's bridge. */
export interface LabHost {
  /** The namespace's name (for `ip netns exec`). */
  readonly ns: string
  /** Its only IPv4 address, in the lab's private /24. */
  readonly address: string
}

/** Why the lab cannot be built here (not root, no `ip`, no permission), with what to do about it. */
export class NetnsUnavailableError extends Error {
  constructor(why: string) {
    super(`cannot create network namespaces: ${why}. This test needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2 ` +
      '(`apt-get install -y iproute2`); it fails instead of skipping so that a CI without them is noticed.')
    this.name = 'NetnsUnavailableError'
  }
}

/** Runs `ip …args` and resolves with its stdout; rejects with its stderr. Bounded by {@link IP_TIMEOUT_MS}. */
export function ip(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', [...args], { timeout: IP_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout)
      else reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }))
    })
  })
}

/**
 * A few "hosts" on one Ethernet segment, none of them in the root namespace: a bridge in a
 * namespace of its own, and per host a namespace joined to the bridge by a veth pair whose two
 * ends are created directly inside the lab's namespaces. Each host has `lo` and one address in a
 * private 10.213.x.0/24 that exists only inside the lab and has no route out, so nothing the
 * hosts send can reach the machine's real interfaces or routing.
 */
export class NetnsLab {
  private destroyed = false

  private constructor(
    /** The namespaces' common name, `sship-nt-<pid>-<tag>`. */
    readonly name: string,
    /** The namespace holding the bridge `br0`. */
    readonly bridgeNs: string,
    /** The lab's /24, e.g. `10.213.57.0/24`. */
    readonly subnet: string,
    /** The hosts, in order; host i has address `.i+1` and bridge port `v<i+1>`. */
    readonly hosts: readonly LabHost[]
  ) {}

  /**
   * Builds a lab of `count` hosts, its namespaces named `<prefix><pid>-…` (another prefix keeps
   * another suite's labs apart). Throws {@link NetnsUnavailableError} if this machine cannot;
   * a half-built lab is removed before the error is thrown.
   */
  static async create(count: number, prefix: string = NETNS_PREFIX): Promise<NetnsLab> {
    try {
      await ip(['-V'])
    } catch (error) {
      throw new NetnsUnavailableError(`the \`ip\` command (iproute2) is not usable: ${error instanceof Error ? error.message : String(error)}`)
    }
    const name = `${prefix}${process.pid}-${randomBytes(2).toString('hex')}`
    const net = await unusedSubnet()
    const lab = new NetnsLab(name, `${name}-br`, `${net}.0/24`,
      Array.from({ length: count }, (_, i) => ({ ns: `${name}-${i + 1}`, address: `${net}.${i + 1}` })))
    try {
      await ip(['netns', 'add', lab.bridgeNs])
    } catch (error) {
      const uid = process.getuid?.()
      throw new NetnsUnavailableError(`${error instanceof Error ? error.message : String(error)} (running as uid ${uid ?? '?'}${uid === 0 ? '' : ', not root'})`)
    }
    try {
      await lab.build()
    } catch (error) {
      await lab.destroy()
      throw error
    }
    return lab
  }

  /** Takes host `i`'s link down, inside its namespace: the host left the network. */
  async linkDown(i: number): Promise<void> {
    await ip(['-n', this.host(i).ns, 'link', 'set', PEER_DEVICE, 'down'])
  }

  /** Brings host `i`'s link up again. */
  async linkUp(i: number): Promise<void> {
    await ip(['-n', this.host(i).ns, 'link', 'set', PEER_DEVICE, 'up'])
  }

  /** Deletes every namespace of the lab (which removes its veths and bridge too). Idempotent; never throws. */
  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    for (const ns of [...this.hosts.map((h) => h.ns), this.bridgeNs]) await ip(['netns', 'del', ns]).catch(() => undefined)
  }

  private host(i: number): LabHost {
    const h = this.hosts[i]
    if (h === undefined) throw new RangeError(`no host ${i} in a lab of ${this.hosts.length}`)
    return h
  }

  private async build(): Promise<void> {
    const br = ['-n', this.bridgeNs]
    await ip([...br, 'link', 'set', 'lo', 'up'])
    // No snooping and no forward delay: mDNS's group is link-local and flooded anyway; ports forward at once.
    await ip([...br, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0', 'forward_delay', '0'])
    await ip([...br, 'link', 'set', 'br0', 'up'])
    for (const [i, h] of this.hosts.entries()) {
      const port = `v${i + 1}`
      await ip(['netns', 'add', h.ns])
      await ip([...br, 'link', 'add', port, 'type', 'veth', 'peer', 'name', PEER_DEVICE, 'netns', h.ns])
      await ip([...br, 'link', 'set', port, 'master', 'br0'])
      await ip([...br, 'link', 'set', port, 'up'])
      await ip(['-n', h.ns, 'link', 'set', 'lo', 'up'])
      await ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', PEER_DEVICE])
      await ip(['-n', h.ns, 'link', 'set', PEER_DEVICE, 'up'])
    }
  }
}

/**
 * Deletes namespaces left by earlier runs: those named with {@link NETNS_PREFIX} whose creating
 * process is gone (a running lab, e.g. a parallel run, is left alone). Resolves with their names.
 */
export async function removeLeftoverNamespaces(prefix: string = NETNS_PREFIX): Promise<string[]> {
  const listed = await ip(['netns', 'list']).catch(() => '')
  const removed: string[] = []
  for (const line of listed.split('\n')) {
    const ns = line.split(' ')[0] ?? ''
    const pid = ns.startsWith(prefix) ? Number(/^(\d+)-/.exec(ns.slice(prefix.length))?.[1]) : NaN
    if (!Number.isInteger(pid) || isAlive(pid)) continue
    await ip(['netns', 'del', ns]).catch(() => undefined)
    removed.push(ns)
  }
  return removed
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** `10.213.<n>` with a random n that nothing in the root namespace uses (read only: addresses and routes are listed, not changed). */
async function unusedSubnet(): Promise<string> {
  const used = `${await ip(['-4', '-o', 'addr', 'show']).catch(() => '')}\n${await ip(['-4', 'route', 'show', 'table', 'all']).catch(() => '')}`
  const bytes = randomBytes(64)
  for (const b of bytes) {
    const n = 1 + (b % 254)
    if (!used.includes(`10.213.${n}.`)) return `10.213.${n}`
  }
  throw new Error('no free 10.213.x.0/24 found for the lab')
}
