import { asPeerId, type PeerId, type Random } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork, type MemoryTransport, type VirtualClock } from '@sship/core/testing'
import * as Y from 'yjs'
import { classifyTransaction, clientServerRoots } from '../../measure/classifyTransaction.js'
import type { OpBook } from '../../measure/OpBook.js'
import { emptyTraffic, TrafficCategory, type Traffic } from '../../measure/Traffic.js'
import { installServerQueue, queueDoc } from '../queue/clientServerQueue.js'
import type { QueueEntry } from '../queue/QueueEntry.js'
import { SystemId } from '../SystemId.js'
import type { RoleTimes, SimQueueSystem } from './SimQueueSystem.js'
import { readFrame, syncStep1Frame, updateFrame } from './yWebsocketFrames.js'

const SERVER = asPeerId('srv')

interface Client {
  readonly id: PeerId
  readonly transport: MemoryTransport
  readonly doc: Y.Doc
  /** Our request ids waiting for a reply, mapped to the workload's request ids. */
  readonly waiting: Map<string, string>
}

/**
 * The client-server baseline on the in-memory network: a central server and `devices` clients
 * speaking y-websocket's sync protocol frame for frame (step 1 from both sides on connect,
 * step 2 in reply, every update relayed by the server to every client, the sender included, as
 * `@y/websocket-server` does). Awareness and WebSocket pings are not simulated; the real-process
 * mode runs the real server and clients. Killing the server ends the service.
 */
export class SimClientServer implements SimQueueSystem {
  readonly id = SystemId.ClientServer
  readonly network: MemoryNetwork
  readonly clock: VirtualClock
  private readonly counted = emptyTraffic()
  private readonly clients: Client[] = []
  private readonly serverDoc: Y.Doc
  /** Draws the Yjs client ids: their varint length is in every update, so they must be seeded for a replayable byte count. */
  private readonly clientIds: Random
  private readonly serverTransport: MemoryTransport
  private readonly conns = new Set<PeerId>()
  private serverAlive = true

  constructor(readonly devices: number, seed: number, private readonly book: OpBook) {
    this.network = new MemoryNetwork({ seed })
    this.clock = this.network.clock
    this.clientIds = seededRandom(seed ^ 0x0c11e47)
    this.serverDoc = this.newDoc()
    this.serverTransport = this.network.transport(SERVER)
  }

  start(): void {
    installServerQueue(this.serverDoc)
    this.serverDoc.on('update', (update: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      const frame = updateFrame(update)
      const category = classifyTransaction(tr, clientServerRoots)
      for (const c of this.conns) this.send(this.serverTransport, c, frame, category)
    })
    this.serverTransport.connect({
      peerJoined: (peer) => {
        if (peer === SERVER) return
        this.conns.add(peer)
        this.send(this.serverTransport, peer, syncStep1Frame(this.serverDoc), TrafficCategory.Repair)
      },
      peerLeft: (peer) => void this.conns.delete(peer),
      frame: (from, data) => {
        const reply = readFrame(this.serverDoc, data, from)
        if (reply !== undefined) this.send(this.serverTransport, from, reply, TrafficCategory.Repair)
      }
    })
    this.clock.advance(10)
    for (let i = 0; i < this.devices; i++) this.clients.push(this.startClient(i))
    this.network.flush()
    this.clock.advance(100)
  }

  isAlive(device: number): boolean {
    return device >= 0 && device < this.devices
  }

  incarnation(): number {
    return 0
  }

  enqueue(device: number, entry: QueueEntry): void {
    queueDoc(this.client(device).doc).queue.push([entry])
  }

  dequeue(device: number, request: string): void {
    const c = this.client(device)
    const id = `${c.id}/${request}`
    c.waiting.set(id, request)
    queueDoc(c.doc).requests.set(id, { by: c.id })
  }

  traffic(): Traffic {
    return { ...this.counted }
  }

  networkBytes(): number {
    return this.network.stats().total.bytes
  }

  server(): string | null {
    return this.serverAlive ? SERVER : null
  }

  killServer(): string {
    this.network.crash(SERVER)
    this.serverAlive = false
    return SERVER
  }

  restartKilled(): boolean {
    return false
  }

  roleTimes(_since: number, _victim: string): RoleTimes {
    // No failure detector: a silent server is noticed by y-websocket's 30 s message timeout.
    return { detectedAt: null, server: this.server(), repointedAt: null }
  }

  pointsAt(): Record<string, number> {
    return { [this.serverAlive ? SERVER : 'none']: this.devices }
  }

  epoch(): number {
    return 0
  }

  finalEntries(): ReadonlySet<string> | undefined {
    if (!this.serverAlive) return undefined
    const q = queueDoc(this.serverDoc)
    const out = new Set(q.queue.toArray().map((e) => e.id))
    for (const r of q.replies.values()) if (r.entry !== null) out.add(r.entry)
    return out
  }

  private client(device: number): Client {
    const c = this.clients[device]
    if (c === undefined) throw new RangeError(`no device ${device}`)
    return c
  }

  private send(from: MemoryTransport, to: PeerId, frame: Uint8Array, category: TrafficCategory): void {
    this.counted[category] += frame.byteLength
    from.send(to, frame)
  }

  /** The server's document, then each started client's. */
  docs(): Y.Doc[] {
    return [this.serverDoc, ...this.clients.map((c) => c.doc)]
  }

  /** A document whose Yjs client id comes from the seed (Yjs would draw it from `crypto`). */
  private newDoc(): Y.Doc {
    const doc = new Y.Doc()
    doc.clientID = Math.floor(this.clientIds.next() * 0x1_0000_0000) >>> 0
    return doc
  }

  private startClient(i: number): Client {
    const id = asPeerId(`c${String(i).padStart(3, '0')}`)
    const c: Client = { id, transport: this.network.transport(id), doc: this.newDoc(), waiting: new Map() }
    const q = queueDoc(c.doc)
    c.doc.on('update', (update: Uint8Array, origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      if (origin !== SERVER) this.send(c.transport, SERVER, updateFrame(update), classifyTransaction(tr, clientServerRoots))
    })
    q.queue.observe((ev) => {
      if (ev.transaction.local) return
      for (const d of ev.changes.delta) {
        for (const v of (d.insert as unknown[] | undefined) ?? []) this.book.seen((v as QueueEntry).id, this.clock.now())
      }
    })
    q.replies.observe((ev) => {
      for (const key of ev.keysChanged) {
        const request = c.waiting.get(key)
        const reply = q.replies.get(key)
        if (request === undefined || reply === undefined) continue
        c.waiting.delete(key)
        this.book.acked(request, this.clock.now(), reply.entry, SERVER)
      }
    })
    c.transport.connect({
      peerJoined: (peer) => {
        if (peer === SERVER) this.send(c.transport, SERVER, syncStep1Frame(c.doc), TrafficCategory.Repair)
      },
      peerLeft: () => undefined,
      frame: (from, data) => {
        if (from !== SERVER) return
        const reply = readFrame(c.doc, data, SERVER)
        if (reply !== undefined) this.send(c.transport, SERVER, reply, TrafficCategory.Repair)
      }
    })
    return c
  }
}
