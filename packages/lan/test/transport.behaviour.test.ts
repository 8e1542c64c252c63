import { asPeerId, type PeerId } from '@sship/core'
import { PROTOCOL_VERSION, seededRandom } from '@sship/core/internals'
import { WebSocket, WebSocketServer } from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode, LanTransport, encodeHello, type LanTransportOptions } from '../src/index.js'
import { FakeDirectory } from './support/FakeDirectory.js'
import { Recorder } from './support/Recorder.js'
import { sleep, waitFor } from './support/wait.js'

/** Transports on 127.0.0.1 only, with fast backoff; every one is shut down after each test. */
describe('LanTransport behaviour on loopback', () => {
  const made: LanTransport[] = []
  let seed = 100
  const make = (peer: string, extra: Partial<LanTransportOptions> = {}): LanTransport => {
    const t = new LanTransport({
      app: 'behaviour', peerId: asPeerId(peer), host: '127.0.0.1', port: 0, random: seededRandom(seed++),
      backoff: { initialMs: 20, maxMs: 200 }, ...extra
    })
    made.push(t)
    return t
  }
  afterEach(async () => {
    await Promise.all(made.splice(0).map((t) => t.shutdown()))
  })
  const addr = (t: LanTransport): string => `127.0.0.1:${t.address?.port ?? 0}`

  it('keeps exactly one link per pair when every peer dials every other', async () => {
    const ts = ['p1', 'p2', 'p3', 'p4'].map((p) => make(p))
    await Promise.all(ts.map((t) => t.listen()))
    for (const t of ts) for (const u of ts) if (t !== u) t.addStaticPeer(addr(u))
    const rs = ts.map(() => new Recorder())
    ts.forEach((t, i) => t.connect(rs[i] as Recorder))
    await waitFor('all joined', () => ts.every((t) => t.peers().size === 3), 3000)
    await waitFor('duplicates closed', () => ts.every((t) => t.stats().liveLinks === 3), 3000, () => ts.map((t) => t.stats().liveLinks))
    await sleep(300)
    for (const [i, r] of rs.entries()) {
      expect([...r.joined].sort(), `peer ${i} joined`).toEqual(ts.filter((_, j) => j !== i).map((t) => t.localPeer).sort())
      expect(r.left, `peer ${i} left`).toEqual([])
    }
    // Each pair's kept link is the same socket seen from both ends: frames cross in both directions.
    ts[3]?.send(asPeerId('p1'), new Uint8Array([1, 2, 3]))
    ts[0]?.send(asPeerId('p4'), new Uint8Array([4]))
    await waitFor('frames', () => (rs[0]?.frames.length ?? 0) === 1 && (rs[3]?.frames.length ?? 0) === 1, 2000)
  })

  it('refuses a peer of another app, with a reason naming both apps', async () => {
    const a = make('a1')
    const b = make('b1', { app: 'someone-else' })
    await Promise.all([a.listen(), b.listen()])
    const errors: string[] = []
    const c = make('c1', { peers: [addr(a)], onError: (e) => errors.push(e.message) })
    const ra = new Recorder()
    const rc = new Recorder()
    a.connect(ra)
    b.connect(new Recorder())
    c.connect(rc)
    const d = make('d1', { app: 'someone-else', peers: [addr(a)], onError: (e) => errors.push(e.message) })
    d.connect(new Recorder())
    await waitFor('refusal reported', () => errors.some((m) => m.includes('wrong app')), 2000, () => errors)
    await waitFor('c joined a', () => a.peers().has(asPeerId('c1')), 2000)
    expect(errors.find((m) => m.includes('wrong app'))).toMatch(/4001.*"behaviour".*"someone-else"/)
    expect([...a.peers()]).toEqual(['c1'])
    expect(a.stats().handshakesRejected).toBeGreaterThanOrEqual(1)
    // A refused app is not redialed.
    const dials = d.stats().dials
    await sleep(400)
    expect(d.stats().dials).toBe(dials)
  })

  it('refuses a peer that speaks another protocol version', async () => {
    const a = make('a1')
    await a.listen()
    const errors: string[] = []
    const b = make('b1', { protocolVersion: 999, peers: [addr(a)], onError: (e) => errors.push(e.message) })
    a.connect(new Recorder())
    const rb = new Recorder()
    b.connect(rb)
    await waitFor('refusal', () => errors.some((m) => m.includes(String(CloseCode.WrongVersion))), 2000, () => errors)
    expect(errors.join('\n')).toMatch(/wrong protocol version/)
    expect(rb.joined).toEqual([])
  })

  it('after cut(), both sides report the peer left, then redial and join again', async () => {
    const a = make('a1')
    const b = make('b1')
    await Promise.all([a.listen(), b.listen()])
    a.addStaticPeer(addr(b))
    const ra = new Recorder()
    const rb = new Recorder()
    a.connect(ra)
    b.connect(rb)
    await waitFor('joined', () => a.peers().size === 1 && b.peers().size === 1, 2000)
    expect(a.cut(asPeerId('b1'))).toBe(1)
    await waitFor('rejoined', () => ra.joined.length === 2 && rb.joined.length === 2, 3000, () => [ra, rb])
    expect(ra.left).toEqual(['b1'])
    expect(rb.left).toEqual(['a1'])
    // The far side saw the socket close (as after a SIGKILL): evidence of death, not silence.
    expect(rb.reasons).toEqual(['closed'])
    expect(a.closesOnCrash).toBe(true)
    expect(a.stats().cuts).toBe(1)
  })

  it('counts bytes at the socket layer', async () => {
    const a = make('a1')
    const b = make('b1')
    await Promise.all([a.listen(), b.listen()])
    a.addStaticPeer(addr(b))
    const rb = new Recorder()
    a.connect(new Recorder())
    b.connect(rb)
    await waitFor('joined', () => a.peers().size === 1, 2000)
    const before = a.stats()
    for (let i = 0; i < 10; i++) a.send(asPeerId('b1'), new Uint8Array(10_000))
    await waitFor('frames', () => rb.frames.length === 10, 2000)
    const after = a.stats()
    expect(after.payloadBytesOut - before.payloadBytesOut).toBe(100_000)
    expect(after.bytesOut - before.bytesOut).toBeGreaterThanOrEqual(100_000)
    expect(after.bytesOut - before.bytesOut).toBeLessThan(101_000)
    expect(b.stats().bytesIn).toBeGreaterThanOrEqual(100_000)
    expect(after.framesOut).toBe(10)
  })

  it('a hello claiming a linked peer (new session) is refused while the real link is alive: no left, no joined', async () => {
    const b = make('b1')
    await b.listen()
    const rb = new Recorder()
    b.connect(rb)
    const real = make('a1', { peers: [addr(b)] })
    const rReal = new Recorder()
    real.connect(rReal)
    await waitFor('joined', () => b.peers().has(asPeerId('a1')), 2000)
    // An impostor: same GUID, its own session, dialing b again and again.
    const impostor = make('a1', { peers: [addr(b)] })
    const rImp = new Recorder()
    impostor.connect(rImp)
    await waitFor('claims refused', () => b.stats().claimsRefused >= 3, 5000, () => b.stats())
    expect(rb.left).toEqual([])
    expect(rb.joined).toEqual(['a1'])
    expect(rImp.joined).toEqual([])
    expect(real.peers().has(asPeerId('b1'))).toBe(true)
    expect(rReal.left).toEqual([])
  })

  it('a restarted peer (same GUID, new session) gets in once its old link went silent: left, then joined again', async () => {
    // The old process: a hand-made peer that says hello as a1 and then never answers a ping (a half-open socket).
    const b = make('b1', { keepaliveMs: 200 })
    await b.listen()
    const rb = new Recorder()
    b.connect(rb)
    const old = new WebSocket(`ws://${addr(b)}`, { autoPong: false })
    old.on('open', () => old.send(encodeHello({ protocol: PROTOCOL_VERSION, app: 'behaviour', peerId: asPeerId('a1'), session: 'old' })))
    old.on('error', () => undefined)
    try {
      await waitFor('old joined', () => rb.joined.length === 1, 2000)
      const second = make('a1', { peers: [addr(b)] })
      const r2 = new Recorder()
      second.connect(r2)
      await waitFor('rejoined', () => rb.joined.length === 2, 5000, () => rb)
      expect(rb.left).toEqual(['a1'])
      expect(r2.joined).toEqual(['b1'])
    } finally {
      old.terminate()
    }
  })

  it('closes a link that sends more frames than its budget, with TooManyFrames', async () => {
    const b = make('b1', { budget: { frames: { perSecond: 50, burst: 50 } } })
    await b.listen()
    b.connect(new Recorder())
    const closed = new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://${addr(b)}`)
      ws.on('open', () => {
        ws.send(encodeHello({ protocol: PROTOCOL_VERSION, app: 'behaviour', peerId: asPeerId('flood'), session: 'f' }))
        for (let i = 0; i < 500; i++) ws.send(new Uint8Array([1, 2, 3]))
      })
      ws.on('close', (code) => resolve(code))
      ws.on('error', () => undefined)
    })
    expect(await closed).toBe(CloseCode.TooManyFrames)
  })

  it('closes a link whose peer does not read once its send queue is over budget, with SendQueueFull', async () => {
    const b = make('b1', { budget: { maxQueuedBytes: 1024 * 1024 } })
    await b.listen()
    const rb = new Recorder()
    b.connect(rb)
    const ws = new WebSocket(`ws://${addr(b)}`)
    ws.on('error', () => undefined)
    ws.on('open', () => ws.send(encodeHello({ protocol: PROTOCOL_VERSION, app: 'behaviour', peerId: asPeerId('reader'), session: 'r' })))
    try {
      await waitFor('joined', () => rb.joined.length === 1, 2000)
      // Stop reading: the TCP window fills, then ws queues in memory.
      const raw = (ws as unknown as { _socket: { pause(): void } })._socket
      raw.pause()
      const big = new Uint8Array(256 * 1024)
      for (let i = 0; i < 400 && b.peers().size === 1; i++) {
        b.send(asPeerId('reader'), big)
        await sleep(5)
      }
      await waitFor('left', () => rb.left.length === 1, 5000, () => b.stats())
      expect(b.stats().framesDropped).toBeGreaterThan(0)
    } finally {
      ws.terminate()
    }
  })

  it('drops a link whose peer stops answering pings (a silent peer, no FIN), and reports it left', async () => {
    // A hand-made peer on 127.0.0.1 that completes the handshake and then never answers a ping.
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false })
    try {
      await new Promise<void>((resolve) => silent.once('listening', () => resolve()))
      silent.on('connection', (ws) => ws.once('message', () => {
        ws.send(encodeHello({ protocol: PROTOCOL_VERSION, app: 'behaviour', peerId: asPeerId('silent'), session: 's' }))
      }))
      const port = (silent.address() as { port: number }).port
      const a = make('a1', { peers: [`127.0.0.1:${port}`], keepaliveMs: 100, backoff: { initialMs: 10_000, maxMs: 10_000 } })
      const ra = new Recorder()
      a.connect(ra)
      await waitFor('joined', () => ra.joined.length === 1, 2000)
      const ms = await waitFor('left', () => ra.left.length === 1, 2000)
      expect(ra.left).toEqual(['silent'])
      // The keepalive gave the link up: the peer may be alive (cut off), unlike a closed link.
      expect(ra.reasons).toEqual(['silent'])
      expect(ms).toBeGreaterThan(100)
    } finally {
      for (const c of silent.clients) c.terminate()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })

  describe('with a directory', () => {
    const entry = (t: LanTransport): { peerId: PeerId; host: string; port: number } => ({ peerId: t.localPeer, host: '127.0.0.1', port: t.address?.port ?? 0 })

    it('lets only the smaller GUID dial a discovered peer', async () => {
      const da = new FakeDirectory()
      const db = new FakeDirectory()
      const a = make('aaa', { directory: da })
      const b = make('bbb', { directory: db, fallbackDialMs: 60_000 })
      await Promise.all([a.listen(), b.listen()])
      a.connect(new Recorder())
      b.connect(new Recorder())
      await waitFor('directories started', () => da.started !== undefined && db.started !== undefined, 1000)
      expect(da.started?.port).toBe(a.address?.port)
      db.add(entry(a))
      await sleep(200)
      expect(b.stats().dials).toBe(0)
      da.add(entry(b))
      await waitFor('joined', () => a.peers().size === 1 && b.peers().size === 1, 2000)
      expect(a.stats().dials).toBe(1)
      expect(b.stats().dials).toBe(0)
    })

    it('forgets a discovered peer that keeps refusing, and redials it at its new address', async () => {
      const da = new FakeDirectory()
      const a = make('aaa', { directory: da, maxDialFailures: 3 })
      await a.listen()
      const ra = new Recorder()
      a.connect(ra)
      const dead = make('bbb')
      await dead.listen()
      const deadEntry = entry(dead)
      await dead.shutdown()
      da.add(deadEntry)
      await waitFor('forgotten', () => da.forgotten.length === 1, 3000, () => a.stats())
      expect(da.forgotten).toEqual(['bbb'])
      expect(a.stats().dialFailures).toBe(3)
      const back = make('bbb')
      await back.listen()
      back.connect(new Recorder())
      da.add(entry(back))
      await waitFor('joined', () => a.peers().has(asPeerId('bbb')), 2000)
      expect(ra.joined).toEqual(['bbb'])
    })

    it('starts the directory on connect and closes it on close', async () => {
      const d = new FakeDirectory()
      const a = make('aaa', { directory: d })
      a.connect(new Recorder())
      await waitFor('started', () => d.started !== undefined, 1000)
      await a.shutdown()
      expect(d.closed).toBe(true)
    })
  })
})
