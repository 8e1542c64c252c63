/**
 * The central server of the client-server baseline: `@y/websocket-server`'s `setupWSConnection`
 * on a `ws` server bound to 127.0.0.1, with the queue's server code on the room's document
 * (see `installServerQueue`). All traffic of the star passes through it, so it alone counts
 * bytes: every socket's bytes read and written, split by y-websocket message type and, for
 * updates, by the part of the document they touched.
 *
 * `node dist/systems/real/yServerProcess.js --port 41000 [--exit-after ms]`
 *
 * @packageDocumentation
 */
import { createServer } from 'node:http'
import type { Socket } from 'node:net'
import { parseArgs } from 'node:util'
import { getYDoc, setupWSConnection } from '@y/websocket-server/utils'
import { WebSocketServer, type WebSocket } from 'ws'
import type * as Y from 'yjs'
import { classifyTransaction, clientServerRoots } from '../../measure/classifyTransaction.js'
import { emptyTraffic, trafficTotal, TrafficCategory } from '../../measure/Traffic.js'
import { installServerQueue, queueDoc } from '../queue/clientServerQueue.js'
import { WorkerRuntime } from './WorkerRuntime.js'
import { BENCH_APP, wallNow, type WorkerCommand } from './workerProtocol.js'

const { values } = parseArgs({ options: { port: { type: 'string' }, 'exit-after': { type: 'string', default: '600000' } } })
const doc = getYDoc(BENCH_APP) as Y.Doc
installServerQueue(doc)

const traffic = emptyTraffic()
const sockets = new Set<Socket>()
let closedBytes = 0
let updateCategory: TrafficCategory | undefined
let lastApplied: TrafficCategory = TrafficCategory.Repair
doc.on('afterTransactionCleanup', (tr: Y.Transaction) => {
  updateCategory = classifyTransaction(tr, clientServerRoots)
  lastApplied = updateCategory
})
doc.on('update', () => {
  updateCategory = undefined
})
/** The category of a y-websocket message: awareness is liveness, sync steps are repair, updates go by content. */
const categoryOf = (m: Uint8Array, updateIs: TrafficCategory | undefined): TrafficCategory =>
  m[0] === 1 ? TrafficCategory.Liveness : m[0] === 0 && m[1] === 2 ? (updateIs ?? TrafficCategory.Repair) : TrafficCategory.Repair

const http = createServer((_req, res) => {
  res.writeHead(404).end()
})
const wss = new WebSocketServer({ server: http })
wss.on('connection', (conn: WebSocket, req) => {
  const socket = req.socket
  sockets.add(socket)
  socket.once('close', () => {
    closedBytes += socket.bytesRead + socket.bytesWritten
    sockets.delete(socket)
  })
  const send = conn.send.bind(conn) as (data: Uint8Array, ...rest: unknown[]) => void
  ;(conn as unknown as { send: typeof send }).send = (data: Uint8Array, ...rest: unknown[]) => {
    traffic[categoryOf(data, updateCategory)] += data.byteLength
    send(data, ...rest)
  }
  setupWSConnection(conn, req, { docName: BENCH_APP })
  // Runs after y-websocket's own listener, so the update this message carried was applied already.
  conn.on('message', (message: ArrayBuffer) => {
    const m = new Uint8Array(message)
    traffic[categoryOf(m, lastApplied)] += m.byteLength
  })
})

const socketBytes = (): number => {
  let live = 0
  for (const s of sockets) live += s.bytesRead + s.bytesWritten
  return closedBytes + live
}
const runtime = new WorkerRuntime(() => {
  const bytes = socketBytes()
  return { t: wallNow(), socketBytes: bytes, traffic: { ...traffic }, framing: bytes - trafficTotal(traffic) }
}, () => new Promise<void>((resolve) => {
  for (const c of wss.clients) c.terminate()
  wss.close()
  http.close(() => resolve())
}), Number(values['exit-after']))

runtime.listen((cmd: WorkerCommand) => {
  if (cmd.c === 'entries') {
    const q = queueDoc(doc)
    const entries = q.queue.toArray().map((e) => e.id)
    for (const r of q.replies.values()) if (r.entry !== null) entries.push(r.entry)
    runtime.emit({ e: 'entries', entries })
  } else if (cmd.c === 'seen') {
    runtime.emit({ e: 'seen', seen: {}, wrote: {} })
  }
})
http.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  runtime.emit({ e: 'ready', t: wallNow(), id: 'srv' })
  runtime.emit({ e: 'role', t: wallNow(), coordinator: 'srv', epoch: 0, leader: true })
})
