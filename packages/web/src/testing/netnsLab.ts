import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'

const IP_TIMEOUT_MS = 10_000

/** Runs `ip …args`; resolves with stdout, rejects with stderr. Bounded in time. */
export function ip(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', [...args], { timeout: IP_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout)
      else reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }))
    })
  })
}

/**
 * The e2e's private network: namespace `ns` (where the host and Chromium run) with `lo` and one
 * veth whose other end sits in a second namespace `peerNs`, with a default route over it.
 * Chromium gathers no WebRTC candidates without a default route; with this one every packet
 * stays inside the two namespaces (the address is a private 10.215.x.0/24 that exists only here).
 */
export interface BrowserLab {
  readonly ns: string
  readonly peerNs: string
  readonly address: string
  destroy(): Promise<void>
}

/**
 * Builds the lab; a half-built one is removed before the error is thrown. Namespaces are named
 * `<prefix><creator pid>-…` (each app its own prefix, e.g. `sship-qe-`), so leftovers of a run
 * whose process is gone are found and removed.
 */
export async function createLab(prefix: string): Promise<BrowserLab> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('a browser e2e needs root to create network namespaces (ip netns)')
  await removeLeftovers(prefix)
  const tag = `${prefix}${process.pid}-${randomBytes(2).toString('hex')}`
  const ns = `${tag}-a`
  const peerNs = `${tag}-b`
  const net = `10.215.${1 + (randomBytes(1)[0] ?? 0) % 254}`
  let destroyed = false
  const destroy = async (): Promise<void> => {
    if (destroyed) return
    destroyed = true
    for (const n of [ns, peerNs]) await ip(['netns', 'del', n]).catch(() => undefined)
  }
  try {
    await ip(['netns', 'add', ns])
    await ip(['netns', 'add', peerNs])
    await ip(['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peerNs])
    for (const [n, host] of [[ns, 2], [peerNs, 1]] as const) {
      await ip(['-n', n, 'link', 'set', 'lo', 'up'])
      await ip(['-n', n, 'addr', 'add', `${net}.${host}/24`, 'dev', 'eth0'])
      await ip(['-n', n, 'link', 'set', 'eth0', 'up'])
    }
    await ip(['-n', ns, 'route', 'add', 'default', 'via', `${net}.1`, 'dev', 'eth0'])
  } catch (error) {
    await destroy()
    throw error
  }
  return { ns, peerNs, address: `${net}.2`, destroy }
}

/** Deletes namespaces of earlier runs whose creating process is gone. */
async function removeLeftovers(prefix: string): Promise<void> {
  const listed = await ip(['netns', 'list']).catch(() => '')
  for (const line of listed.split('\n')) {
    const name = line.split(' ')[0] ?? ''
    const pid = Number(new RegExp(`^${prefix}(\\d+)-`).exec(name)?.[1])
    if (!Number.isInteger(pid)) continue
    try {
      process.kill(pid, 0)
    } catch {
      await ip(['netns', 'del', name]).catch(() => undefined)
    }
  }
}
