import { connect, initServer, type Connection, type PeerOptions, type Server } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork } from '@sship/core/testing'
import { fifoServer } from './fifoServer.js'

/** The app name of the history bench. */
export const HISTORY_APP = 'history'

/** Options every peer of a history run gets (`checkpointEvery: 0` turns checkpoints off). */
export type HistoryPeerOptions = Partial<Pick<PeerOptions, 'antiEntropyMs' | 'checkpointEvery'>>

/** 3 servers and some clients on one in-memory network under virtual time. */
export class HistoryCluster {
  readonly network: MemoryNetwork
  readonly servers: Server[] = []
  readonly clients: Connection[] = []
  private joiners = 0

  constructor(readonly seed: number, servers: number, clients: number, private readonly peerOptions: HistoryPeerOptions = {}) {
    this.network = new MemoryNetwork({ seed })
    for (let i = 0; i < servers; i++) {
      const s = initServer(HISTORY_APP, this.base(`s${i}`, i))
      s.onReceive(fifoServer(s))
      this.servers.push(s)
      // The first server creates the app; the others join once it runs.
      if (i === 0) this.runUntil(() => s.getSnapshot().isServer, 10_000)
    }
    for (let i = 0; i < clients; i++) this.clients.push(connect(HISTORY_APP, this.base(`c${i}`, 100 + i)))
    this.runUntil(() => this.clients.every((c) => c.getSnapshot().coordinator !== null), 10_000)
  }

  /** Peer options for GUID `id`. */
  base(id: string, seedOffset: number): PeerOptions {
    return { transport: this.network.transport(id as never), clock: this.network.clock, random: seededRandom(this.seed * 1000 + seedOffset), ...this.peerOptions } as PeerOptions
  }

  /** Advances virtual time in `stepMs` steps until `done` or `maxMs`; returns whether `done` held. */
  runUntil(done: () => boolean, maxMs: number, stepMs = 5): boolean {
    for (let t = 0; t < maxMs && !done(); t += stepMs) this.network.clock.advance(stepMs)
    return done()
  }

  /** A fresh client that joins now; the caller stops it. */
  joiner(): Connection {
    return connect(HISTORY_APP, this.base(`late${this.joiners++}`, 500 + this.joiners))
  }

  /** The coordinator's server (or the first server). */
  leader(): Server {
    return this.servers.find((s) => s.getSnapshot().isServer) ?? this.servers[0]!
  }
}
