import * as Y from 'yjs'
import {
  asPeerId, connect, initServer, type Conflict, type Connection, type Json, type PeerId, type Random,
  type Server, type TimingOptions
} from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork, type NetworkFaults, type VirtualClock } from '@sship/core/testing'
import { queueHandler } from './queue.js'

/**
 * The judge's own simulated app, built only from the public API (`initServer`, `connect`,
 * `Server`, `Connection`, the `doc` option) on a `MemoryNetwork` and its `VirtualClock`. It
 * never reads a peer's ledger or coordinator: everything it records is what an app sees.
 */
export const APP = 'judge-queue'

/** What a sender was told for one request, the moment `send` resolved. */
export interface Ack {
  readonly id: string
  readonly client: PeerId
  readonly msg: Json
  readonly epoch: number
  readonly by: string
  readonly reply: Json | undefined
  /** The decision key `getRequests()` showed at that moment. */
  readonly decision: string | undefined
}

/** One server: crashed and restarted by the schedule. */
export interface ServerNode {
  readonly id: PeerId
  alive: boolean
  incarnation: number
  server: Server | undefined
  conn: Connection | undefined
}

/** One client: never crashes (its `getRequests()` is the history the judge reads at the end). */
export interface ClientNode {
  readonly id: PeerId
  readonly conn: Connection
  /** Request ids in send order, with their messages. */
  readonly sent: Array<{ readonly id: string; readonly msg: Json }>
  /** First acknowledgement per request id (from the `send` promise). */
  readonly acks: Map<string, Ack>
  /** Every distinct (decision, reply) `getRequests()` showed per request, in order. */
  readonly observed: Map<string, Array<{ readonly decision: string | undefined; readonly reply: Json | undefined }>>
  /** `onConflict` reports heard by this client, in order. */
  readonly conflicts: Conflict[]
}

/** Options of a {@link World}. */
export interface WorldOptions {
  readonly seed: number
  readonly servers: number
  readonly clients: number
  readonly mode: 'availability' | 'quorum'
  readonly faults?: Partial<NetworkFaults>
  readonly timing?: Partial<TimingOptions>
  /** Decisions between checkpoints (`PeerOptions.checkpointEvery`); default the SDK's. */
  readonly checkpointEvery?: number
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** Servers, clients, the network and the links between them; see the module comment. */
export class World {
  readonly network: MemoryNetwork
  readonly clock: VirtualClock
  readonly servers: ServerNode[] = []
  readonly clients: ClientNode[] = []
  private groups: PeerId[][] = []
  /** Cut links, counted: a link is mended when every cut of it was. */
  private readonly cuts = new Map<string, { pair: [PeerId, PeerId]; count: number }>()
  private readonly peerSeeds: Random
  private readonly bootListeners: Array<(s: ServerNode) => void> = []

  constructor(readonly options: WorldOptions) {
    this.network = new MemoryNetwork({ seed: options.seed, ...options.faults })
    this.clock = this.network.clock
    this.peerSeeds = seededRandom((options.seed ^ 0x9e3779b9) >>> 0 || 1)
    for (let i = 0; i < options.servers; i++) {
      this.servers.push({ id: asPeerId(`s${pad(i)}`), alive: false, incarnation: 0, server: undefined, conn: undefined })
    }
  }

  /** Starts the first server (the initial host), lets it create the app, then everyone else. */
  start(): this {
    const [first, ...rest] = this.servers
    if (first !== undefined) this.boot(first, undefined)
    this.clock.advance(400)
    for (const s of rest) this.boot(s, undefined)
    for (let i = 0; i < this.options.clients; i++) this.addClient(asPeerId(`c${pad(i)}`))
    return this
  }

  /** Advances virtual time. */
  run(ms: number): void {
    this.clock.advance(ms)
  }

  /** Advances in `stepMs` steps until `done()`; false if `maxMs` passed first. */
  runUntil(done: () => boolean, maxMs: number, stepMs = 1): boolean {
    const end = this.clock.now() + maxMs
    while (!done()) {
      if (this.clock.now() >= end) return false
      this.clock.advance(stepMs)
    }
    return true
  }

  /** Sends `msg` from client `c`; returns the request id. */
  send(c: ClientNode, msg: Json): string {
    const result = c.conn.send(msg)
    const reqs = c.conn.getRequests()
    const id = reqs[reqs.length - 1]?.id ?? ''
    c.sent.push({ id, msg })
    void result.then((r) => {
      if (r.status !== 'acknowledged' || c.acks.has(r.id)) return
      // The promise resolves a microtask after the delivery; what getRequests() showed at that
      // delivery was recorded synchronously as the first observation.
      const first = c.observed.get(r.id)?.[0]
      c.acks.set(r.id, { id: r.id, client: c.id, msg, epoch: r.epoch, by: r.by, reply: r.reply, decision: first?.decision })
    })
    return id
  }

  /** The server vanishes without goodbye; returns its document as it was (for a restart). */
  crash(s: ServerNode): Uint8Array | undefined {
    if (!s.alive) return undefined
    const saved = s.conn === undefined ? undefined : Y.encodeStateAsUpdate(s.conn.doc)
    this.network.crash(s.id)
    s.server?.stop()
    s.alive = false
    return saved
  }

  /** Brings a crashed server back, with the given document (an update) or an empty one. */
  restart(s: ServerNode, doc: Uint8Array | undefined): void {
    if (s.alive) return
    s.incarnation++
    this.boot(s, doc)
  }

  /** Replaces the partition (groups of peers that reach each other); cut links stay cut. */
  partition(groups: readonly (readonly PeerId[])[]): void {
    this.groups = groups.map((g) => [...g])
    this.applyLinks()
  }

  /** Cuts one link (both directions); cuts of one link nest (see {@link World.mend}). */
  cut(a: PeerId, b: PeerId): void {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`
    const c = this.cuts.get(key) ?? { pair: [a, b], count: 0 }
    c.count++
    this.cuts.set(key, c)
    this.network.cutLink(a, b)
  }

  /** Undoes one {@link World.cut} of a link; it is mended once every cut of it is undone (the partition stays). */
  mend(a: PeerId, b: PeerId): void {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`
    const c = this.cuts.get(key)
    if (c === undefined) return
    if (--c.count > 0) return
    this.cuts.delete(key)
    this.applyLinks()
  }

  /** Removes the partition and every cut link. */
  heal(): void {
    this.groups = []
    this.cuts.clear()
    this.network.heal()
  }

  /** Calls `listener` each time a server (re)starts, after its `initServer`. */
  onBoot(listener: (s: ServerNode) => void): void {
    this.bootListeners.push(listener)
  }

  /** Live servers. */
  alive(): ServerNode[] {
    return this.servers.filter((s) => s.alive)
  }

  /** Every live connection: servers' and clients'. */
  liveConnections(): Connection[] {
    const out: Connection[] = []
    for (const s of this.servers) if (s.alive && s.conn !== undefined) out.push(s.conn)
    for (const c of this.clients) if (!out.includes(c.conn)) out.push(c.conn)
    return out
  }

  private applyLinks(): void {
    this.network.heal()
    if (this.groups.length > 0) this.network.partition(this.groups)
    for (const { pair: [a, b] } of this.cuts.values()) this.network.cutLink(a, b)
  }

  private peerOptions(id: PeerId): { transport: ReturnType<MemoryNetwork['transport']>; clock: VirtualClock; random: Random; mode: 'availability' | 'quorum'; timing: Partial<TimingOptions>; checkpointEvery?: number } {
    const seed = Math.floor(this.peerSeeds.next() * 0xfffffffe) + 1
    return { transport: this.network.transport(id), clock: this.clock, random: seededRandom(seed), mode: this.options.mode, timing: this.options.timing ?? {},
      ...(this.options.checkpointEvery !== undefined ? { checkpointEvery: this.options.checkpointEvery } : {}) }
  }

  private boot(s: ServerNode, saved: Uint8Array | undefined): void {
    const base = this.peerOptions(s.id)
    let doc: Y.Doc | undefined
    if (saved !== undefined) {
      doc = new Y.Doc({ gc: true })
      doc.clientID = Math.floor(this.peerSeeds.next() * 0xfffffffe) + 1
      Y.applyUpdate(doc, saved)
    }
    const server = initServer(APP, { ...base, version: '1', ...(doc === undefined ? {} : { doc }) })
    server.onReceive(queueHandler(server))
    s.server = server
    s.conn = connect(APP, { peer: server.peer })
    s.alive = true
    for (const l of this.bootListeners) l(s)
  }

  /**
   * Records what server `s`'s own connection sends and hears, like a client's, so its requests
   * are judged too. Only for a server that does not crash afterwards (its history dies with it).
   */
  trackSender(s: ServerNode): ClientNode {
    if (!s.alive || s.conn === undefined) throw new Error(`trackSender: ${s.id} is not running`)
    return this.track(s.id, s.conn)
  }

  private addClient(id: PeerId): void {
    this.track(id, connect(APP, this.peerOptions(id)))
  }

  private track(id: PeerId, conn: Connection): ClientNode {
    const c: ClientNode = { id, conn, sent: [], acks: new Map(), observed: new Map(), conflicts: [] }
    conn.onConflict((x) => c.conflicts.push(x))
    conn.subscribeRequests(() => {
      for (const r of conn.getRequests()) {
        if (r.status !== 'acknowledged') continue
        const list = c.observed.get(r.id) ?? []
        const last = list[list.length - 1]
        if (last !== undefined && last.decision === r.decision && JSON.stringify(last.reply) === JSON.stringify(r.reply)) continue
        list.push({ decision: r.decision, reply: r.reply })
        c.observed.set(r.id, list)
      }
    })
    this.clients.push(c)
    return c
  }
}

/** Lets pending promise callbacks (send results) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
