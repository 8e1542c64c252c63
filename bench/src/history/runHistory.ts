import { cpuUsage, memoryUsage } from 'node:process'
import * as Y from 'yjs'
import type { Connection, Json } from '@sship/core'
import { HistoryCluster, type HistoryPeerOptions } from './historyCluster.js'

/** One sample, taken every `sampleEvery` ops. */
export interface HistorySample {
  readonly ops: number
  /** One replica's document, encoded as one update. */
  readonly docBytes: number
  /** The server state as JSON. */
  readonly stateBytes: number
  /** Process CPU per decided request over the last interval (every replica of the run included). */
  readonly cpuPerOpMs: number
  /** Heap in use divided by the number of replicas. */
  readonly heapPerReplicaBytes: number
}

/** A late joiner's cost at some op count. */
export interface JoinSample {
  readonly ops: number
  readonly joinBytes: number
  readonly docBytes: number
  /** Virtual ms until the joiner's server state equals the coordinator's. */
  readonly virtualMs: number
  /** Wall ms (CPU of every replica) until then. */
  readonly wallMs: number
  readonly reached: boolean
}

/** What {@link runHistory} measures. */
export interface HistoryResult {
  readonly label: string
  readonly samples: HistorySample[]
  readonly joins: JoinSample[]
  readonly ops: number
  readonly lost: number
  readonly duplicates: number
}

/** Options of {@link runHistory}. */
export interface HistoryRunOptions {
  readonly label: string
  readonly seed: number
  readonly ops: number
  readonly sampleEvery?: number
  /** Op counts after which a late joiner is measured. */
  readonly joinAt: readonly number[]
  readonly peerOptions?: HistoryPeerOptions
  readonly progress?: (ops: number) => void
}

const PAYLOAD = 'x'.repeat(64)
const SERVERS = 3
const CLIENTS = 5
const BATCH = 10

/**
 * 3 servers and 5 clients; each round every client sends two requests (an enqueue of 64 B and a
 * dequeue, alternating), and virtual time runs until all are decided. Samples doc bytes, state
 * bytes, CPU per decision and heap every `sampleEvery` ops; a late joiner at each `joinAt`.
 */
export function runHistory(o: HistoryRunOptions): HistoryResult {
  const sampleEvery = o.sampleEvery ?? 1000
  const cluster = new HistoryCluster(o.seed, SERVERS, CLIENTS, o.peerOptions)
  const samples: HistorySample[] = []
  const joins: JoinSample[] = []
  const replies = new Map<string, Json | undefined>()
  const sent: Array<{ key: string; enq: string | null }> = []
  let cpuMark = cpuUsage()
  let opsMark = 0
  let done = 0
  while (done < o.ops) {
    const round: Array<{ client: Connection; id: string }> = []
    for (let i = 0; i < BATCH && done + i < o.ops; i++) {
      const client = cluster.clients[i % CLIENTS] as Connection
      const n = done + i
      const enq = n % 2 === 0 ? `e${n}` : null
      const msg: Json = enq !== null ? { op: 'enq', id: enq, v: PAYLOAD } : { op: 'deq' }
      void client.send(msg)
      const id = client.getRequests().at(-1)?.id ?? ''
      sent.push({ key: id, enq })
      round.push({ client, id })
    }
    const count = round.length
    // The client's own replica holds the decision once it is reported to it.
    // (A fold that jumped to a newer checkpoint holds the decision behind it.)
    const decision = (r: { client: Connection; id: string }) => r.client.peer.ledger.decisionFor(r.id) ?? r.client.peer.ledger.checkpointedDecision(r.id)
    cluster.runUntil(() => round.every((r) => decision(r) !== undefined), 30_000)
    for (const r of round) {
      const d = decision(r)
      if (d !== undefined && d.record.e === undefined) replies.set(r.id, d.record.y ?? null)
    }
    done += count
    if (Math.floor(done / sampleEvery) > Math.floor((done - count) / sampleEvery) || done === o.ops) {
      const now = cpuUsage(cpuMark)
      const ops = done - opsMark
      samples.push({
        ops: done,
        docBytes: Y.encodeStateAsUpdate(cluster.servers[1]!.peer.doc).byteLength,
        stateBytes: JSON.stringify(cluster.leader().getState()).length,
        cpuPerOpMs: ops > 0 ? (now.user + now.system) / 1000 / ops : 0,
        heapPerReplicaBytes: Math.round(memoryUsage().heapUsed / (SERVERS + CLIENTS))
      })
      cpuMark = cpuUsage()
      opsMark = done
      o.progress?.(done)
    }
    for (const at of o.joinAt) {
      if (at > done - count && at <= done) {
        joins.push(measureJoin(cluster, done))
        cpuMark = cpuUsage()
      }
    }
  }
  return { label: o.label, samples, joins, ops: done, ...audit(sent, replies) }
}

/** Counts requests never acknowledged, items never dequeued nor left in the queue, and items handed out twice. */
function audit(sent: ReadonlyArray<{ key: string; enq: string | null }>, replies: ReadonlyMap<string, Json | undefined>): { lost: number; duplicates: number } {
  let lost = 0
  let duplicates = 0
  const taken = new Set<string>()
  const enqueued = new Set<string>()
  for (const s of sent) {
    if (!replies.has(s.key)) {
      lost++
      continue
    }
    if (s.enq !== null) enqueued.add(s.enq)
    const reply = replies.get(s.key) as { ok?: boolean; item?: { id?: string } } | undefined
    const id = reply?.item?.id
    if (id === undefined) continue
    if (taken.has(id)) duplicates++
    taken.add(id)
  }
  // Every dequeue happens after its enqueue in the same client round, so with one request in
  // flight per slot nothing stays queued for long; whatever was taken must have been enqueued.
  for (const id of taken) if (!enqueued.has(id)) duplicates++
  return { lost, duplicates }
}

function measureJoin(cluster: HistoryCluster, ops: number): JoinSample {
  const target = cluster.leader()
  const docBytes = Y.encodeStateAsUpdate(target.peer.doc).byteLength
  const started = performance.now()
  const t0 = cluster.network.clock.now()
  const joiner = cluster.joiner()
  const want = JSON.stringify(target.getState())
  const reached = cluster.runUntil(() => JSON.stringify(joiner.getState()) === want && joiner.peer.ledger.complete(), 60_000)
  const result: JoinSample = {
    ops,
    joinBytes: joiner.peer.stats.bytesIn,
    docBytes,
    virtualMs: cluster.network.clock.now() - t0,
    wallMs: Math.round(performance.now() - started),
    reached
  }
  joiner.close()
  joiner.peer.stop()
  cluster.runUntil(() => false, 500)
  return result
}

