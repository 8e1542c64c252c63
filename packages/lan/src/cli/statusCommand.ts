import { asPeerId, connect, type CoordinatorSnapshot, type PeerId } from '@sship/core'
import { createIdentity, type PeerIdentity } from '@sship/core/security'
import { cryptoRandom, randomHex } from '@sship/core/internals'
import { MdnsDiscovery } from '../discovery/MdnsDiscovery.js'
import type { DirectoryEntry } from '../discovery/PeerDirectory.js'
import { firstLanAddress } from '../join/lanAddress.js'
import { LanTransport } from '../transport/LanTransport.js'
import { SecureLanTransport } from '../transport/SecureLanTransport.js'
import { formatHostPort } from '../transport/peerAddress.js'
import type { StatusArgs } from './cliArgs.js'
import type { CliIO } from './CliIO.js'
import { readRoomSecret } from './roomSecret.js'

/** What `sship status --json` prints (one object). */
export interface StatusReport {
  readonly type: 'app-status'
  readonly app: string
  readonly peers: readonly { readonly id: string; readonly address: string }[]
  readonly coordinator: string | null
  readonly epoch: number
  readonly successors: readonly string[]
  readonly alive: readonly string[]
  /** Why no coordinator is named (null when one is): no peers found, or none heard within the timeout. */
  readonly reason: string | null
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** After the first peer is found, how long browsing goes on for the others (a peer answers at most once a second, RFC 6762). */
const MORE_PEERS_MS = 1100

/**
 * `sship status <app>`: browses mDNS until it finds a peer (for at most half of `--timeout`, and
 * briefly longer for the others), then connects to what it found as a client (never as a server)
 * until it has heard the coordinator or the timeout ends, prints what it learned — or why it
 * names no coordinator — and exits: 0 if peers were found, 1 if none were. With a room secret
 * (`--secret-file` or `SSHIP_SECRET`) it links as a member of the secure room; with `--identity`
 * under a fresh in-memory key pair (`status~<fingerprint>`), as a room with identities requires.
 */
export async function runStatus(args: StatusArgs, io: CliIO): Promise<number> {
  const secret = args.secret === undefined ? undefined : readRoomSecret(args.secret, (m) => io.stderr.write(`sship: ${m}\n`))
  const deadline = performance.now() + args.timeoutMs
  // A room with identities links only peers that prove a key pair: a throwaway one is enough to listen.
  const identity = args.identity ? await createIdentity('status') : undefined
  const self = identity?.id ?? asPeerId(`status-${randomHex(cryptoRandom, 6)}`)
  const discovery = new MdnsDiscovery({
    app: args.app, peerId: self, interface: args.interface ?? firstLanAddress(), bind: '0.0.0.0', port: args.mdnsPort,
    queryIntervalMs: Math.max(100, Math.floor(args.timeoutMs / 4))
  })
  let entries: readonly DirectoryEntry[] = []
  let snapshot: CoordinatorSnapshot | undefined
  // Made before browsing: a room secret's keys (PBKDF2, a CPU-bound second on a loaded machine)
  // are derived while mDNS answers arrive, instead of after them inside the timeout.
  const link = clientTransport(args.app, self, secret, identity)
  try {
    await discovery.start(undefined)
    const browseUntil = performance.now() + args.timeoutMs / 2
    while (discovery.entries().length === 0 && performance.now() < browseUntil) await sleep(25)
    if (discovery.entries().length > 0) await sleep(Math.max(0, Math.min(MORE_PEERS_MS, browseUntil - performance.now())))
    entries = discovery.entries()
    if (entries.length > 0) snapshot = await askCoordinator(args.app, link, entries, deadline, identity)
  } finally {
    await Promise.all([discovery.close(), link.lan.shutdown()])
  }
  const report: StatusReport = {
    type: 'app-status', app: args.app,
    peers: entries.map((e) => ({ id: e.peerId, address: formatHostPort(e) })).sort((a, b) => a.id.localeCompare(b.id)),
    coordinator: snapshot?.coordinator ?? null, epoch: snapshot?.epoch ?? 0,
    // The coordinator may already count this short-lived client as alive: leave it out.
    successors: snapshot?.successors ?? [], alive: (snapshot?.alive ?? []).filter((p) => p !== self),
    reason: entries.length === 0 ? `no peers of "${args.app}" found by mDNS within ${Math.round(args.timeoutMs / 2)} ms`
      : snapshot?.coordinator == null
        ? `found ${entries.length} peer(s) but heard no coordinator within ${args.timeoutMs} ms (a failover under way, a wrong room secret, or links that did not form); try a longer --timeout`
        : null
  }
  io.stdout.write(args.json ? `${JSON.stringify(report)}\n` : renderStatus(report))
  return entries.length > 0 ? 0 : 1
}

/** The client's link: a LAN transport that dials only the peers it is given, secured with the room secret if there is one. */
function clientTransport(
  app: string, self: PeerId, secret: string | undefined, identity: PeerIdentity | undefined
): { readonly lan: LanTransport; readonly transport: LanTransport | SecureLanTransport } {
  const lan = new LanTransport({ app, peerId: self, listen: false, peers: [] })
  // In a room with a secret, only a client holding it hears anything.
  const transport = secret === undefined ? lan : new SecureLanTransport(lan, { secret, appName: app, ...(identity === undefined ? {} : { identity }) })
  return { lan, transport }
}

/** Connects as a client to `entries` and waits (until `deadline`) for a snapshot naming the coordinator, successors and alive peers. */
async function askCoordinator(
  app: string, link: ReturnType<typeof clientTransport>, entries: readonly DirectoryEntry[], deadline: number, identity: PeerIdentity | undefined
): Promise<CoordinatorSnapshot> {
  for (const e of entries) link.lan.addStaticPeer(formatHostPort(e))
  const client = connect(app, { transport: link.transport, ...(identity === undefined ? {} : { identity }) })
  try {
    while (performance.now() < deadline) {
      const s = client.getSnapshot()
      // The heartbeat names the coordinator; the successors come with the document and the alive list with the next view.
      if (s.coordinator !== null && s.successors.length > 0 && s.alive.length > 0) break
      await sleep(25)
    }
    return client.getSnapshot()
  } finally {
    client.close()
    client.peer.stop()
  }
}

function renderStatus(r: StatusReport): string {
  if (r.peers.length === 0) return `no peers of "${r.app}" found\n`
  const lines = [`app "${r.app}": ${r.peers.length} peer(s)`]
  for (const p of r.peers) lines.push(`  ${p.id}  ${p.address}${p.id === r.coordinator ? '  (coordinator)' : ''}`)
  lines.push(r.coordinator === null ? `coordinator: none (${r.reason ?? 'not heard'})` : `coordinator: ${r.coordinator}, epoch ${r.epoch}`)
  if (r.successors.length > 0) lines.push(`successors: ${r.successors.join(' > ')}`)
  return `${lines.join('\n')}\n`
}
