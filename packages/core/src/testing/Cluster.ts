import { connect, initServer } from '../api/sship.js'
import type { Connection } from '../api/Connection.js'
import type { Server } from '../api/Server.js'
import type { CoordinatorEvent } from '../coordinator/Coordinator.js'
import type { ServerHandler } from '../coordinator/RequestProcessor.js'
import { Role } from '../coordinator/Role.js'
import { parseTermKey } from '../coordinator/Term.js'
import type { TimingOptions } from '../coordinator/timing.js'
import { guidLabel } from '../identity/guid.js'
import type { PeerIdentity } from '../identity/PeerIdentity.js'
import { asPeerId, type PeerId } from '../ids/ids.js'
import { seededRandom, type Random } from '../random/Random.js'
import { MemoryNetwork } from './MemoryNetwork.js'
import type { NetworkFaults } from './NetworkFaults.js'
import { SimulatedKeyring } from './SimulatedKeyring.js'
import { StallGate } from './StallGate.js'
import type { VirtualClock } from './VirtualClock.js'
import type { Clock } from '../clock/Clock.js'
import type { LeaveReason, Transport } from '../transport/Transport.js'

/** Options of a {@link Cluster}. */
export interface ClusterOptions {
  /** Seed of the network and of every peer's randomness. */
  readonly seed: number
  /** Eligible peers (`initServer`); the first is the initial host. */
  readonly servers: number
  /** Client-only peers (`connect`). Default 0. */
  readonly clients?: number
  /** Coordinator timing of every peer. */
  readonly timing?: Partial<TimingOptions>
  /** Initial network faults (drop, duplicate, reorder, latency). */
  readonly faults?: Partial<NetworkFaults>
  /** See `PeerOptions.failover`. Default true. */
  readonly failover?: boolean
  /** See `PeerOptions.failback`. Default true. */
  readonly failback?: boolean
  /** Servers marked stable (`PeerOptions.stable`), by label (`s01`…); they fail back like the initial host. */
  readonly stable?: readonly string[]
  /** See `PeerOptions.mode`. Default availability. */
  readonly mode?: 'availability' | 'quorum'
  /** See `PeerOptions.checkpointEvery`. Default the SDK's (1000). */
  readonly checkpointEvery?: number
  /** Record every delivered frame (see `MemoryNetwork.trace`). */
  readonly trace?: boolean
  /** See `MemoryNetworkOptions.closesOnCrash` (then {@link Cluster.kill} closes links, {@link Cluster.crash} stays silent). Default false. */
  readonly closesOnCrash?: boolean
  /** The server code; default {@link tokenCounter}. */
  readonly handler?: (server: Server) => ServerHandler
  /**
   * Give every member a key pair from a {@link SimulatedKeyring} (`PeerOptions.identity`): GUIDs
   * become `s00~<fingerprint>`, terms and decisions are signed. Default false.
   */
  readonly identity?: boolean
  /**
   * Puts a layer between each member and its in-memory link (a routing mesh, a link cap), per
   * boot: `incarnation` counts the member's restarts; `clock` is the cluster's. Default: the link itself.
   */
  readonly wrapTransport?: (link: Transport, id: PeerId, incarnation: number, clock: Clock) => Transport
}

/** One simulated device. */
export interface Member {
  /** The device's GUID (`s00`… for servers, `c00`… for clients; `s00~<fingerprint>` with identities). */
  readonly id: PeerId
  /** Its key pair, with {@link ClusterOptions.identity} (kept across restarts). */
  readonly identity: PeerIdentity | undefined
  /** True for a server (it runs `initServer`). */
  readonly eligible: boolean
  /** False between a crash and a restart. */
  alive: boolean
  /** How often it restarted. */
  incarnation: number
  /** Its server, if eligible. */
  server: Server | undefined
  /** Its client connection (servers have one too, on the same peer). */
  connection: Connection | undefined
  /** Freezes this incarnation (see {@link Cluster.stall}). */
  gate: StallGate | undefined
}

/** A request sent through {@link Cluster.send}. */
export interface SentRequest {
  /** The token the default server code counts. */
  readonly token: string
  /** The sender. */
  readonly from: PeerId
  /** The sender's incarnation when it sent. */
  readonly incarnation: number
  /** Virtual time of the send. */
  readonly sentAt: number
  /** The request id in the document. */
  id: string
  /** Virtual time the sender saw it acknowledged. */
  ackAt?: number
  /** The reply it got. */
  reply?: unknown
  /** The decision the sender was told about. */
  decision?: string
}

/**
 * The default server code of simulations: counts how often each request token was applied, so
 * `state.seen[token]` must end at exactly 1 for every acknowledged request.
 */
export function tokenCounter(server: Server): ServerHandler {
  return (msg) => {
    const token = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? msg.token : undefined
    if (typeof token !== 'string') throw new TypeError('expected { token: string }')
    const seen = server.getState().seen
    const prev = typeof seen === 'object' && seen !== null && !Array.isArray(seen) ? seen[token] : undefined
    const n = (typeof prev === 'number' ? prev : 0) + 1
    server.commitChange({ seen: { [token]: n } })
    return { token, n }
  }
}

/**
 * A whole app on the in-memory network under virtual time: servers and clients that can be
 * crashed, restarted and partitioned, with a record of every send, ack, decision and role
 * event. Tests and `npm run scenario` drive it; {@link checkCluster} judges it.
 */
export class Cluster {
  /** The in-memory network all members use. */
  readonly network: MemoryNetwork
  /** The virtual clock of the network and of every peer. */
  readonly clock: VirtualClock
  /** Randomness for the test's own choices (kept apart from the network's). */
  readonly random: Random
  /** Every device, servers first. */
  readonly members: Member[] = []
  /** Every request sent through {@link Cluster.send}. */
  readonly sent: SentRequest[] = []
  /** Role events of every peer, with the virtual time they happened. */
  readonly events: Array<{ readonly t: number; readonly peer: PeerId; readonly event: CoordinatorEvent }> = []
  /** When each decision (by key) was first seen by any peer, and its term's epoch and leader. */
  readonly decisions = new Map<string, { t: number; epoch: number; leader: string; request: string | null }>()
  /** Epoch regressions seen by any peer (must stay empty). */
  readonly epochRegressions: string[] = []
  /** The keyring that issued the members' identities, with {@link ClusterOptions.identity}. */
  readonly keyring: SimulatedKeyring | undefined
  private tokens = 0

  constructor(readonly options: ClusterOptions) {
    this.network = new MemoryNetwork({ seed: options.seed, trace: options.trace ?? false, closesOnCrash: options.closesOnCrash ?? false, ...options.faults })
    this.clock = this.network.clock
    this.random = seededRandom(options.seed ^ 0x5eed)
    const pad = (n: number): string => String(n).padStart(2, '0')
    const keyring = options.identity === true ? new SimulatedKeyring(seededRandom(options.seed ^ 0x1de)) : undefined
    this.keyring = keyring
    const blank = (label: string, eligible: boolean): Member => {
      const identity = keyring?.identity(label)
      return { id: identity?.id ?? asPeerId(label), identity, eligible, alive: false, incarnation: 0, server: undefined, connection: undefined, gate: undefined }
    }
    for (let i = 0; i < options.servers; i++) this.members.push(blank(`s${pad(i)}`, true))
    for (let i = 0; i < (options.clients ?? 0); i++) this.members.push(blank(`c${pad(i)}`, false))
  }

  /** Starts the initial host, lets it create the app, then starts everyone else. */
  start(): this {
    const [host, ...rest] = this.members
    if (host !== undefined) this.boot(host)
    this.run(400)
    for (const m of rest) this.boot(m)
    return this
  }

  /** The member with GUID `id` (or, with identities, with that label). */
  member(id: PeerId | string): Member {
    const m = this.members.find((x) => x.id === id) ?? this.members.find((x) => guidLabel(x.id) === id)
    if (m === undefined) throw new Error(`no member ${id}`)
    return m
  }

  /** Live members. */
  alive(): Member[] {
    return this.members.filter((m) => m.alive)
  }

  /** Live members that currently lead. */
  leaders(): Member[] {
    return this.alive().filter((m) => m.connection?.peer.coordinator.currentRole() === Role.Leader)
  }

  /** Advances virtual time by `ms`. */
  run(ms: number): void {
    this.clock.advance(ms)
  }

  /** Advances time in `stepMs` steps until `done()` or `maxMs`; returns the time taken, or -1. */
  runUntil(done: () => boolean, maxMs: number, stepMs = 5): number {
    const start = this.clock.now()
    while (!done()) {
      if (this.clock.now() - start >= maxMs) return -1
      this.clock.advance(stepMs)
    }
    return this.clock.now() - start
  }

  /** Sends a fresh token from member `id`; returns the record. */
  send(id: PeerId | string): SentRequest {
    const m = this.member(id)
    if (!m.alive || m.connection === undefined) throw new Error(`member ${id} is not running`)
    const token = `t${this.tokens++}`
    const rec: SentRequest = { token, from: m.id, incarnation: m.incarnation, sentAt: this.clock.now(), id: '' }
    this.sent.push(rec)
    void m.connection.send({ token })
    const reqs = m.connection.getRequests()
    rec.id = reqs[reqs.length - 1]?.id ?? ''
    return rec
  }

  /** The member vanishes without a goodbye. */
  crash(id: PeerId | string): void {
    const m = this.member(id)
    if (!m.alive) return
    this.network.crash(m.id)
    m.connection?.peer.stop()
    m.alive = false
  }

  /** The member's process is killed: its links close at once (`MemoryNetwork.kill`), its document is gone. */
  kill(id: PeerId | string): void {
    const m = this.member(id)
    if (!m.alive) return
    this.network.kill(m.id)
    m.connection?.peer.stop()
    m.alive = false
  }

  /** The member leaves cleanly (`Peer.leave`): off the successorship list, then stopped. */
  leave(id: PeerId | string): void {
    const m = this.member(id)
    if (!m.alive) return
    m.connection?.peer.leave()
    m.alive = false
  }

  /** Brings a crashed member back with an empty document (no persistence) and the same GUID. */
  restart(id: PeerId | string): void {
    const m = this.member(id)
    if (m.alive) return
    // A member that left may still be in its leave grace period: it stops now.
    m.connection?.peer.stop()
    m.incarnation++
    this.boot(m)
  }

  /**
   * Freezes a live member for `ms` (SIGSTOP, a starved process, a frozen tab): its timers and
   * incoming frames wait and run all at once when it wakes (see {@link StallGate}).
   */
  stall(id: PeerId | string, ms: number): void {
    const m = this.member(id)
    if (m.alive) m.gate?.stall(ms)
  }

  /** Splits the network (see `MemoryNetwork.partition`). */
  partition(groups: ReadonlyArray<ReadonlyArray<PeerId | string>>): void {
    this.network.partition(groups.map((g) => g.map((id) => this.member(id).id)))
  }

  /** Cuts the one link between two members (see `MemoryNetwork.cutLink`). */
  cutLink(a: PeerId | string, b: PeerId | string): void {
    this.network.cutLink(this.member(a).id, this.member(b).id)
  }

  /** Closes one link on one side only (see `MemoryNetwork.closeLinkAt`). */
  closeLinkAt(a: PeerId | string, b: PeerId | string, reason?: LeaveReason): void {
    this.network.closeLinkAt(this.member(a).id, this.member(b).id, reason)
  }

  /** Removes any partition and cut link. */
  heal(): void {
    this.network.heal()
  }

  private boot(m: Member): void {
    const seed = (this.options.seed * 7919 + this.members.indexOf(m) * 104729 + m.incarnation * 1299709) >>> 0
    const gate = new StallGate(this.clock)
    m.gate = gate
    const base = {
      // A stall freezes the peer's timers and frames (StallGate); a test may wrap the transport too (e.g. a relay layer).
      transport: gate.wrap(this.options.wrapTransport?.(this.network.transport(m.id), m.id, m.incarnation, gate.clock) ?? this.network.transport(m.id)),
      clock: gate.clock,
      random: seededRandom(seed),
      timing: this.options.timing ?? {},
      failover: this.options.failover ?? true,
      failback: this.options.failback ?? true,
      mode: this.options.mode ?? 'availability',
      ...(this.options.checkpointEvery !== undefined ? { checkpointEvery: this.options.checkpointEvery } : {}),
      ...(m.identity !== undefined ? { identity: m.identity } : {})
    }
    if (m.eligible) {
      const server = initServer('sim', { ...base, version: '1', stable: this.options.stable?.includes(guidLabel(m.id)) ?? false })
      server.onReceive((this.options.handler ?? tokenCounter)(server))
      m.server = server
      m.connection = connect('sim', { peer: server.peer })
    } else {
      m.server = undefined
      m.connection = connect('sim', base)
    }
    m.alive = true
    const peer = m.connection.peer
    peer.coordinator.onEvent((event) => this.events.push({ t: this.clock.now(), peer: m.id, event }))
    let lastEpoch = 0
    peer.coordinator.subscribe(() => {
      const e = peer.coordinator.getSnapshot().epoch
      if (e < lastEpoch) this.epochRegressions.push(`${m.id}#${m.incarnation}: epoch ${lastEpoch} -> ${e} at ${this.clock.now()}`)
      lastEpoch = e
    })
    peer.ledger.listen({
      decided: (_id, d) => {
        if (this.decisions.has(d.key)) return
        const term = parseTermKey(d.term)
        this.decisions.set(d.key, { t: this.clock.now(), epoch: term?.epoch ?? -1, leader: term?.leader ?? '', request: d.record.r })
      }
    })
    const conn = m.connection
    const incarnation = m.incarnation
    conn.subscribeRequests(() => {
      for (const r of conn.getRequests()) {
        if (r.status !== 'acknowledged') continue
        const rec = this.sent.find((s) => s.id === r.id && s.incarnation === incarnation && s.from === m.id)
        if (rec !== undefined && rec.ackAt === undefined) {
          rec.ackAt = this.clock.now()
          rec.reply = r.reply
          if (r.decision !== undefined) rec.decision = r.decision
        }
      }
    })
  }
}
