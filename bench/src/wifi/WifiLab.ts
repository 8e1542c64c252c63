import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** Every namespace of a Wi-Fi lab is named `sship-wb-<creator pid>-<hex>-<i>`, so leftovers can be found. */
export const WIFI_NETNS_PREFIX = 'sship-wb-'
const SWITCH = fileURLToPath(new URL('../../switch/wifi_switch.py', import.meta.url))
const IP_TIMEOUT_MS = 10_000

/** The egress impairment of a host, as the switch applies it. */
export interface Impairment {
  readonly delayMs: number
  readonly jitterMs: number
  readonly loss: number
}

/** Runs `ip …args`; rejects with its stderr. Bounded in time. */
export function ip(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', [...args], { timeout: IP_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout)
      else reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }))
    })
  })
}

/**
 * Hosts on one impaired Ethernet segment: a network namespace per host, each with `lo` and a TAP
 * `eth0` owned by one switch process (`bench/switch/wifi_switch.py`, python3) that forwards
 * frames between the hosts with per-host egress delay, jitter and loss. Addresses are in a private
 * 10.214.x.0/24 with no route out; the switch opens no socket, so nothing leaves the namespaces.
 * The switch exits when its stdin closes (so it dies with the bench) or after `maxSeconds`; the
 * TAPs vanish with it; {@link WifiLab.destroy} deletes the namespaces.
 */
export class WifiLab {
  private destroyed = false
  private readonly replies: Array<(line: string) => void> = []

  private constructor(
    readonly name: string,
    readonly hosts: ReadonlyArray<{ readonly ns: string; readonly address: string }>,
    private readonly sw: ChildProcess
  ) {
    createInterface({ input: sw.stdout! }).on('line', (line) => this.replies.shift()?.(line))
    sw.stdin?.on('error', () => undefined)
  }

  /** Builds `count` hosts and the switch (impairment none until {@link WifiLab.impair}). Needs root, iproute2 and python3. */
  static async create(count: number, seed: number, maxSeconds: number): Promise<WifiLab> {
    const name = `${WIFI_NETNS_PREFIX}${process.pid}-${randomBytes(2).toString('hex')}`
    const net = await unusedSubnet()
    const hosts = Array.from({ length: count }, (_, i) => ({ ns: `${name}-${i + 1}`, address: `${net}.${i + 1}` }))
    const made: string[] = []
    try {
      for (const h of hosts) {
        await ip(['netns', 'add', h.ns])
        made.push(h.ns)
        await ip(['-n', h.ns, 'link', 'set', 'lo', 'up'])
      }
      const sw = spawn('python3', [SWITCH, JSON.stringify({ seed, maxSeconds, hosts: hosts.map((h) => h.ns) })], { stdio: ['pipe', 'pipe', 'pipe'] })
      const stderr: string[] = []
      sw.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()))
      const lab = new WifiLab(name, hosts, sw)
      const ready = await Promise.race([
        new Promise<string>((resolve) => lab.replies.push(resolve)),
        new Promise<string>((resolve) => sw.once('exit', () => resolve(`exited: ${stderr.join('')}`))),
        new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), 10_000))
      ])
      if (!ready.includes('"ready"')) {
        sw.kill('SIGKILL')
        throw new Error(`the Wi-Fi switch did not start (${ready.trim()}); it needs root and python3`)
      }
      for (const h of hosts) {
        await ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0'])
        await ip(['-n', h.ns, 'link', 'set', 'eth0', 'up'])
      }
      return lab
    } catch (error) {
      for (const ns of made) await ip(['netns', 'del', ns]).catch(() => undefined)
      throw error
    }
  }

  /** Sets every host's egress impairment (or one host's). Resolves when the switch applied it. */
  impair(i: Impairment, host?: number): Promise<void> {
    return this.command({ cmd: 'impair', ...i, ...(host === undefined ? {} : { host }) }).then(() => undefined)
  }

  /** Silently drops every frame from and to host `i` (its link stays up: a silent cut). */
  cut(host: number): Promise<void> {
    return this.command({ cmd: 'cut', host }).then(() => undefined)
  }

  /** Ends a {@link WifiLab.cut}. */
  heal(host: number): Promise<void> {
    return this.command({ cmd: 'heal', host }).then(() => undefined)
  }

  /** The switch's counters (frames in, lost, cut-dropped, out). */
  async stats(): Promise<Record<string, number>> {
    return JSON.parse(await this.command({ cmd: 'stats' })) as Record<string, number>
  }

  /** Stops the switch and deletes every namespace. Idempotent; never throws. */
  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    this.sw.stdin?.end()
    this.sw.kill('SIGKILL')
    for (const h of this.hosts) await ip(['netns', 'del', h.ns]).catch(() => undefined)
  }

  /** Synchronous last resort (a SIGINT handler): kills the switch; namespaces are removed by the next run. */
  killSwitch(): void {
    this.sw.kill('SIGKILL')
  }

  private command(cmd: object): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the Wi-Fi switch did not answer ${JSON.stringify(cmd)}`)), 10_000)
      this.replies.push((line) => {
        clearTimeout(timer)
        resolve(line)
      })
      this.sw.stdin?.write(`${JSON.stringify(cmd)}\n`)
    })
  }
}

/** Deletes every namespace this process created (a SIGINT handler's cleanup). */
export async function removeOwnWifiNamespaces(): Promise<void> {
  const listed = await ip(['netns', 'list']).catch(() => '')
  for (const line of listed.split('\n')) {
    const ns = line.split(' ')[0] ?? ''
    if (ns.startsWith(`${WIFI_NETNS_PREFIX}${process.pid}-`)) await ip(['netns', 'del', ns]).catch(() => undefined)
  }
}

/** Deletes `sship-wb-*` namespaces whose creating process is gone; resolves with their names. */
export async function removeStaleWifiNamespaces(): Promise<string[]> {
  const listed = await ip(['netns', 'list']).catch(() => '')
  const removed: string[] = []
  for (const line of listed.split('\n')) {
    const ns = line.split(' ')[0] ?? ''
    const pid = Number(new RegExp(`^${WIFI_NETNS_PREFIX}(\\d+)-`).exec(ns)?.[1])
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

/** `10.214.<n>` with a random n that nothing in the root namespace uses (read only). */
async function unusedSubnet(): Promise<string> {
  const used = `${await ip(['-4', '-o', 'addr', 'show']).catch(() => '')}\n${await ip(['-4', 'route', 'show', 'table', 'all']).catch(() => '')}`
  for (const b of randomBytes(64)) {
    const n = 1 + (b % 254)
    if (!used.includes(`10.214.${n}.`)) return `10.214.${n}`
  }
  throw new Error('no free 10.214.x.0/24 found for the lab')
}
