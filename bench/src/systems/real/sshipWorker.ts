/**
 * A bench device for sship over real loopback sockets: `joinLan` with static peers (no mDNS),
 * then `initServer` with the queue's server code (eligible) or `connect` (client). Driven by
 * {@link WorkerCommand}s on stdin; reports {@link WorkerEvent}s on stdout.
 *
 * `node dist/systems/real/sshipWorker.js --id s00 --port 41000 [--dial 127.0.0.1:41001,…]
 *  [--eligible 1] [--failover 1] [--exit-after 600000]`
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import { connect, initServer, type Connection } from '@sship/core'
import { joinLan, lanTiming } from '@sship/lan'
import type * as Y from 'yjs'
import { PeerTraffic } from '../../measure/PeerTraffic.js'
import { trafficTotal } from '../../measure/Traffic.js'
import { makePayload } from '../../workload/payload.js'
import { asDequeueReply } from '../queue/QueueEntry.js'
import { sshipQueueHandler } from '../queue/sshipQueueHandler.js'
import { WorkerRuntime } from './WorkerRuntime.js'
import { BENCH_APP, wallNow, type Counters, type WorkerCommand } from './workerProtocol.js'

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    port: { type: 'string' },
    dial: { type: 'string', default: '' },
    eligible: { type: 'string', default: '1' },
    failover: { type: 'string', default: '1' },
    'exit-after': { type: 'string', default: '600000' }
  }
})
const id = values.id ?? 's00'
const failover = values.failover !== '0'
const lan = await joinLan(BENCH_APP, {
  interface: '127.0.0.1',
  mdns: false,
  peerId: id,
  port: Number(values.port ?? 0),
  peers: (values.dial ?? '').split(',').filter((s) => s.length > 0)
})
const options = { transport: lan.transport, timing: lanTiming(), failover }
let conn: Connection
if (values.eligible !== '0') {
  const server = initServer(BENCH_APP, { ...options, version: '1' })
  server.onReceive(sshipQueueHandler(server))
  conn = connect(BENCH_APP, { peer: server.peer })
} else {
  conn = connect(BENCH_APP, options)
}
const peer = conn.peer
const traffic = new PeerTraffic(peer)
const seen: Record<string, number> = {}
const wrote: Record<string, number> = {}
conn.data.observe((ev: Y.YMapEvent<unknown>) => {
  if (ev.transaction.local) return
  const t = wallNow()
  for (const [key, change] of ev.changes.keys) if (change.action === 'add' && seen[key] === undefined) seen[key] = t
})

const counters = (): Counters => {
  const s = lan.transport.stats()
  const tr = traffic.snapshot()
  return { t: wallNow(), socketBytes: s.bytesOut, traffic: tr, framing: s.bytesOut - trafficTotal(tr) }
}
const runtime = new WorkerRuntime(counters, async () => {
  conn.close()
  peer.stop()
  await lan.close()
}, Number(values['exit-after']))

let last = ''
const report = (): void => {
  const s = peer.coordinator.getSnapshot()
  const key = `${s.coordinator}/${s.epoch}/${s.isServer}`
  if (key === last) return
  last = key
  runtime.emit({ e: 'role', t: wallNow(), coordinator: s.coordinator, epoch: s.epoch, leader: s.isServer })
}
peer.coordinator.subscribe(report)
peer.coordinator.onEvent((ev) => {
  if (ev.type === 'suspected') runtime.emit({ e: 'suspected', t: wallNow(), leader: ev.leader })
})

runtime.listen(async (cmd: WorkerCommand) => {
  switch (cmd.c) {
    case 'enq': {
      const entry = { id: cmd.id, k: cmd.k, p: makePayload(cmd.seed, cmd.k, cmd.size) }
      wrote[cmd.id] = wallNow()
      conn.data.set(cmd.id, entry)
      return
    }
    case 'deq': {
      const sentAt = wallNow()
      const res = await conn.send({ op: 'dequeue' })
      if (res.status === 'acknowledged') {
        runtime.emit({ e: 'ack', r: cmd.r, sentAt, t: wallNow(), entry: asDequeueReply(res.reply)?.entry ?? null, by: res.by })
      }
      return
    }
    case 'seen':
      runtime.emit({ e: 'seen', seen, wrote })
      return
    case 'entries':
      runtime.emit({ e: 'entries', entries: [...conn.data.keys()] })
      return
    default:
  }
})
runtime.emit({ e: 'ready', t: wallNow(), id })
report()
