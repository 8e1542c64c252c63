import type { Connection, Transport } from '@sship/core'
import type { Peer } from '@sship/core/internals'
import { CappedLinks, RelayTransport } from '@sship/webrtc'
import { Cluster, type Member, type VirtualClock } from '@sship/core/testing'
import type * as Y from 'yjs'
import type { OpBook } from '../../measure/OpBook.js'
import { PeerTraffic } from '../../measure/PeerTraffic.js'
import { addTraffic, emptyTraffic, type Traffic } from '../../measure/Traffic.js'
import { asDequeueReply, type QueueEntry } from '../queue/QueueEntry.js'
import { decisionTerm } from '../queue/decisionKey.js'
import { sshipQueueHandler } from '../queue/sshipQueueHandler.js'
import { SystemId } from '../SystemId.js'
import type { RoleTimes, SimQueueSystem } from './SimQueueSystem.js'

/**
 * sship on core's simulated {@link Cluster}: with `faultTolerant`, every device is eligible and
 * runs with the defaults; without, device 0 is the only host and runs with `failover: false`
 * (the no-fault-tolerance baseline) while the others are plain clients.
 */
export class SimSship implements SimQueueSystem {
  readonly id: SystemId
  readonly cluster: Cluster
  readonly clock: VirtualClock
  private readonly meters: PeerTraffic[] = []
  private readonly pointing = new Map<number, { coordinator: string | null; since: number }>()
  private readonly suspicions: Array<{ t: number; by: string; leader: string }> = []
  private readonly pending = new Map<string, string>()
  private killed: number | undefined

  /** Each device's relay layer, when running on a capped mesh. */
  readonly relays = new Map<string, RelayTransport>()

  /**
   * @param mesh - run every device on a capped mesh ({@link CappedLinks}, `k` wanted links)
   *   under a {@link RelayTransport}, instead of the full mesh.
   */
  constructor(readonly devices: number, readonly faultTolerant: boolean, seed: number, private readonly book: OpBook, mesh?: { readonly k: number }) {
    this.id = faultTolerant ? SystemId.Sship : SystemId.NoFaultTolerance
    const wrap = mesh === undefined ? {} : {
      // Called from cluster.start(), once this.clock is set.
      wrapTransport: (link: Transport, id: string, incarnation: number) => {
        const c = this.clock
        const relay = new RelayTransport({
          inner: new CappedLinks({ inner: link, k: mesh.k }), clock: c, incarnation: incarnation + 1,
          defer: (fn) => c.setTimeout(fn, 0)
        })
        this.relays.set(id, relay)
        return relay
      }
    }
    this.cluster = new Cluster({
      ...wrap,
      seed,
      servers: faultTolerant ? devices : 1,
      clients: faultTolerant ? 0 : devices - 1,
      failover: faultTolerant,
      handler: sshipQueueHandler
    })
    this.clock = this.cluster.clock
  }

  start(progress: (detail: string) => void = () => {}): void {
    this.cluster.start()
    this.cluster.members.forEach((_, i) => this.attach(i, true))
    const host = this.cluster.members[0]?.id
    const t0 = this.clock.now()
    const settled = this.cluster.runUntil(() => {
      const following = this.cluster.alive().filter((m) => m.connection?.getSnapshot().coordinator === host).length
      progress(`joining: ${following}/${this.devices} follow the host after ${this.clock.now() - t0} ms (virtual)`)
      return following === this.cluster.alive().length
    }, 20_000, 10)
    if (settled < 0) throw new Error(`sship (${this.devices} devices) did not settle on ${host}`)
  }

  isAlive(device: number): boolean {
    return this.member(device).alive
  }

  incarnation(device: number): number {
    return this.member(device).incarnation
  }

  enqueue(device: number, entry: QueueEntry): void {
    this.connection(device).data.set(entry.id, entry)
  }

  dequeue(device: number, request: string): void {
    const conn = this.connection(device)
    void conn.send({ op: 'dequeue' })
    const reqs = conn.getRequests()
    const id = reqs[reqs.length - 1]?.id
    if (id !== undefined) this.pending.set(`${device}/${id}`, request)
  }

  traffic(): Traffic {
    return this.meters.reduce((sum, m) => addTraffic(sum, m.snapshot()), emptyTraffic())
  }

  networkBytes(): number {
    return this.cluster.network.stats().total.bytes
  }

  server(): string | null {
    const leaders = this.cluster.leaders()
    return leaders.length === 1 ? (leaders[0]?.id ?? null) : null
  }

  killServer(): string {
    const victim = this.cluster.leaders()[0]
    if (victim === undefined) throw new Error('no server to kill')
    this.killed = this.cluster.members.indexOf(victim)
    this.cluster.crash(victim.id)
    return victim.id
  }

  restartKilled(): boolean {
    if (this.killed === undefined || !this.faultTolerant) return false
    const m = this.member(this.killed)
    this.cluster.restart(m.id)
    this.attach(this.killed, false)
    return true
  }

  roleTimes(since: number, victim: string): RoleTimes {
    let detectedAt: number | null = null
    for (const s of this.suspicions) {
      if (s.t >= since && s.leader === victim && s.by !== victim && (detectedAt === null || s.t < detectedAt)) detectedAt = s.t
    }
    const server = this.server()
    let repointedAt: number | null = null
    if (server !== null) {
      repointedAt = since
      this.cluster.members.forEach((m, i) => {
        if (!m.alive || repointedAt === null) return
        const p = this.pointing.get(i)
        if (p === undefined || p.coordinator !== server) repointedAt = null
        else repointedAt = Math.max(repointedAt, p.since)
      })
    }
    return { detectedAt, server, repointedAt }
  }

  pointsAt(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const m of this.cluster.alive()) {
      const c = m.connection?.getSnapshot().coordinator ?? 'none'
      out[c] = (out[c] ?? 0) + 1
    }
    return out
  }

  epoch(): number {
    return Math.max(0, ...this.cluster.alive().map((m) => m.connection?.getSnapshot().epoch ?? 0))
  }

  finalEntries(): ReadonlySet<string> | undefined {
    const leader = this.cluster.leaders()[0]
    return leader?.connection === undefined ? undefined : new Set(leader.connection.data.keys())
  }

  /** The member for device `i`. */
  member(device: number): Member {
    const m = this.cluster.members[device]
    if (m === undefined) throw new RangeError(`no device ${device}`)
    return m
  }

  /** Every live peer (for the idle and per-peer counters). */
  peers(): Peer[] {
    return this.cluster.alive().flatMap((m) => (m.connection === undefined ? [] : [m.connection.peer]))
  }

  private connection(device: number): Connection {
    const conn = this.member(device).connection
    if (conn === undefined) throw new Error(`device ${device} is not running`)
    return conn
  }

  /** Instruments a freshly booted device: traffic, visibility, answers, role changes. */
  private attach(device: number, watchVisibility: boolean): void {
    const m = this.member(device)
    const conn = this.connection(device)
    const peer = conn.peer
    this.meters.push(new PeerTraffic(peer))
    if (watchVisibility) {
      conn.data.observe((ev: Y.YMapEvent<unknown>) => {
        if (ev.transaction.local) return
        for (const [key, change] of ev.changes.keys) if (change.action === 'add') this.book.seen(key, this.clock.now())
      })
    }
    const acked = new Set<string>()
    conn.subscribeRequests(() => {
      for (const r of conn.getRequests()) {
        if (r.status === 'pending' || acked.has(r.id)) continue
        acked.add(r.id)
        const request = this.pending.get(`${device}/${r.id}`)
        if (request === undefined) continue
        const reply = asDequeueReply(r.reply)
        const leader = r.decision === undefined ? '' : (decisionTerm(r.decision)?.leader ?? '')
        if (r.status === 'acknowledged') this.book.acked(request, this.clock.now(), reply?.entry ?? null, leader)
      }
    })
    const track = (): void => {
      const c = peer.coordinator.getSnapshot().coordinator
      const prev = this.pointing.get(device)
      if (prev === undefined || prev.coordinator !== c) this.pointing.set(device, { coordinator: c, since: this.clock.now() })
    }
    track()
    peer.coordinator.subscribe(track)
    peer.coordinator.onEvent((e) => {
      if (e.type === 'suspected') this.suspicions.push({ t: this.clock.now(), by: m.id, leader: e.leader })
    })
  }
}
