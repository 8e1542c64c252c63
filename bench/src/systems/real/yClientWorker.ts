/**
 * A bench device of the client-server baseline: a y-websocket `WebsocketProvider` client of the
 * central server (WebSocket from `ws`), enqueueing into the shared `Y.Array` and dequeueing
 * through the server's request map. Driven like `sshipWorker`.
 *
 * `node dist/systems/real/yClientWorker.js --id c00 --server ws://127.0.0.1:41000 [--exit-after ms]`
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { emptyTraffic } from '../../measure/Traffic.js'
import { makePayload } from '../../workload/payload.js'
import { queueDoc } from '../queue/clientServerQueue.js'
import type { QueueEntry } from '../queue/QueueEntry.js'
import { WorkerRuntime } from './WorkerRuntime.js'
import { BENCH_APP, wallNow, type WorkerCommand } from './workerProtocol.js'

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    server: { type: 'string' },
    'exit-after': { type: 'string', default: '600000' }
  }
})
const id = values.id ?? 'c00'
const doc = new Y.Doc()
const q = queueDoc(doc)
const provider = new WebsocketProvider(values.server ?? 'ws://127.0.0.1:1234', BENCH_APP, doc, {
  WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  disableBc: true
})
const seen: Record<string, number> = {}
const wrote: Record<string, number> = {}
const waiting = new Map<string, { r: string; sentAt: number }>()

// The central server counts every byte of the star; clients report none of their own.
const runtime = new WorkerRuntime(() => ({ t: wallNow(), socketBytes: 0, traffic: emptyTraffic(), framing: 0 }), () => {
  provider.destroy()
  return Promise.resolve()
}, Number(values['exit-after']))

q.queue.observe((ev) => {
  if (ev.transaction.local) return
  const t = wallNow()
  for (const d of ev.changes.delta) {
    for (const v of (d.insert as unknown[] | undefined) ?? []) {
      const entry = (v as QueueEntry).id
      if (seen[entry] === undefined) seen[entry] = t
    }
  }
})
q.replies.observe((ev) => {
  const t = wallNow()
  for (const key of ev.keysChanged) {
    const w = waiting.get(key)
    const reply = q.replies.get(key)
    if (w === undefined || reply === undefined) continue
    waiting.delete(key)
    runtime.emit({ e: 'ack', r: w.r, sentAt: w.sentAt, t, entry: reply.entry, by: 'srv' })
  }
})
let synced = false
provider.on('status', ({ status }: { status: string }) => {
  runtime.emit({ e: 'role', t: wallNow(), coordinator: status === 'connected' ? 'srv' : null, epoch: 0, leader: false })
})
provider.on('sync', (isSynced: boolean) => {
  if (isSynced && !synced) {
    synced = true
    runtime.emit({ e: 'ready', t: wallNow(), id })
  }
})

runtime.listen((cmd: WorkerCommand) => {
  switch (cmd.c) {
    case 'enq': {
      const entry = { id: cmd.id, k: cmd.k, p: makePayload(cmd.seed, cmd.k, cmd.size) }
      wrote[cmd.id] = wallNow()
      q.queue.push([entry])
      return
    }
    case 'deq': {
      const key = `${id}/${cmd.r}`
      waiting.set(key, { r: cmd.r, sentAt: wallNow() })
      q.requests.set(key, { by: id })
      return
    }
    case 'seen':
      runtime.emit({ e: 'seen', seen, wrote })
      return
    case 'entries':
      runtime.emit({ e: 'entries', entries: q.queue.toArray().map((e) => e.id) })
      return
    default:
  }
})
