import { asPeerId, connect, initServer, type PeerId, type TransportEvents } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { tokenCounter, VirtualClock } from '@sship/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeTabMessage, encodeTabBye, encodeTabFrame, encodeTabHello, sealBytes, deriveRoomKey, TabMessageType, TabTransport } from '../src/index.js'

/** Records what one transport reports. */
class Events implements TransportEvents {
  readonly log: string[] = []
  readonly frames: { from: PeerId; data: number[] }[] = []
  peerJoined(peer: PeerId): void {
    this.log.push(`+${peer}`)
  }
  peerLeft(peer: PeerId): void {
    this.log.push(`-${peer}`)
  }
  frame(from: PeerId, data: Uint8Array): void {
    this.frames.push({ from, data: [...data] })
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `done` every 10 ms; rejects after `timeoutMs`. */
async function waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<number> {
  const start = performance.now()
  while (!done()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
  return performance.now() - start
}

let rooms = 0
const freshRoom = (what: string): string => `tabs-test-${what}-${++rooms}`

describe('tab messages (BroadcastChannel wire format)', () => {
  it('round-trips Hello, Bye and Frame, and refuses junk with typed errors', () => {
    expect(decodeTabMessage(encodeTabHello('t1', true))).toEqual({ ok: true, value: { type: TabMessageType.Hello, from: 't1', fresh: true } })
    expect(decodeTabMessage(encodeTabBye('t1'))).toEqual({ ok: true, value: { type: TabMessageType.Bye, from: 't1' } })
    const frame = decodeTabMessage(encodeTabFrame('t1', Uint8Array.of(9, 8, 7)))
    expect(frame.ok && frame.value.type === TabMessageType.Frame && [...frame.value.bytes]).toEqual([9, 8, 7])
    const codes = [new Uint8Array(0), Uint8Array.of(2, 0, 1, 97, 0), Uint8Array.of(1, 9, 1, 97), Uint8Array.of(1, 0, 0, 0), Uint8Array.of(1, 0, 1, 97, 7), Uint8Array.of(1, 0, 5, 97)]
      .map((m) => {
        const r = decodeTabMessage(m)
        return r.ok ? 'ok' : r.error.code
      })
    expect(codes).toEqual(['truncated', 'bad-version', 'unknown-type', 'malformed', 'malformed', 'truncated'])
  })
})

describe('TabTransport (BroadcastChannel in one Node process)', () => {
  const cleanup: (() => void)[] = []
  afterEach(() => {
    for (const undo of cleanup.splice(0).reverse()) undo()
  })
  const tab = (id: string, room: string, extra: Partial<ConstructorParameters<typeof TabTransport>[0]> = {}) => {
    const errors: { code: string; peer: PeerId | undefined }[] = []
    const transport = new TabTransport({ peerId: asPeerId(id), room, onError: (e, peer) => errors.push({ code: (e as { code?: string }).code ?? e.message, peer }), ...extra })
    const events = new Events()
    transport.connect(events)
    cleanup.push(() => transport.close())
    return { transport, events, errors }
  }
  const raw = (name: string): BroadcastChannel => {
    const channel = new BroadcastChannel(name)
    cleanup.push(() => channel.close())
    return channel
  }

  it('reports malformed and foreign messages, never throws, and keeps serving', async () => {
    const room = freshRoom('hostile')
    const a = tab('a', room)
    const attacker = raw(`sship-tabs:${room}`)
    const key = await deriveRoomKey('some password', room)
    for (const junk of ['text', { type: 'hello' }, null, new Uint8Array(0), Uint8Array.of(7, 7, 7), Uint8Array.of(1, 0, 1, 97, 9), await sealBytes(encodeTabHello('z', true), key)]) {
      attacker.postMessage(junk)
    }
    // A frame from a tab that never said Hello is dropped silently, as a frame to nobody.
    raw(`sship-tabs:${room}:a`).postMessage(encodeTabFrame('stranger', Uint8Array.of(1)))
    await waitFor('seven errors', () => a.errors.length >= 7)
    expect(a.errors.map((e) => e.code)).toEqual(['malformed', 'malformed', 'malformed', 'truncated', 'bad-version', 'malformed', 'bad-password'])
    expect(a.events.frames).toEqual([])
    const b = tab('b', room)
    await waitFor('a and b joined', () => a.transport.peers().has(asPeerId('b')) && b.transport.peers().has(asPeerId('a')))
    b.transport.send(asPeerId('a'), Uint8Array.of(4, 2))
    await waitFor('the frame', () => a.events.frames.length === 1)
    expect(a.events.frames).toEqual([{ from: 'b', data: [4, 2] }])
    expect(a.events.log).toEqual(['+b'])
  })

  it('never joins tabs with another password (or none), and reports what does not decrypt', async () => {
    const room = freshRoom('passwords')
    const one = tab('one', room, { password: 'first' })
    const two = tab('two', room, { password: 'second' })
    const none = tab('none', room)
    const same = tab('same', room, { password: 'first' })
    await waitFor('the tabs with the same password joined', () => one.transport.peers().has(asPeerId('same')) && same.transport.peers().has(asPeerId('one')))
    await waitFor('every tab to have refused a stranger', () => [one, two, none, same].every((t) => t.errors.length > 0))
    await sleep(100)
    expect([...one.transport.peers()]).toEqual(['same'])
    expect([...two.transport.peers()]).toEqual([])
    expect([...none.transport.peers()]).toEqual([])
    for (const t of [one, two, none, same]) expect(new Set(t.errors.map((e) => e.code))).toEqual(new Set(['bad-password']))
  })

  it('takes a tab that went silent as gone after timeoutMs, and a restarted tab as left and joined again (VirtualClock)', async () => {
    const room = freshRoom('silence')
    const clock = new VirtualClock()
    const a = tab('a', room, { clock, heartbeatMs: 1000, timeoutMs: 3000 })
    const ghostRoom = raw(`sship-tabs:${room}`)
    const ghostInbox = raw(`sship-tabs:${room}:ghost`)
    const answers: unknown[] = []
    ghostInbox.onmessage = (event: MessageEvent) => answers.push(decodeTabMessage(event.data as Uint8Array))
    ghostRoom.postMessage(encodeTabHello('ghost', true))
    await waitFor('the ghost joined and was answered', () => a.events.log.length === 1 && answers.length === 1)
    expect(answers).toEqual([{ ok: true, value: { type: TabMessageType.Hello, from: 'a', fresh: false } }])
    clock.advance(2000)
    expect(a.events.log).toEqual(['+ghost'])
    ghostRoom.postMessage(encodeTabHello('ghost', true))
    await waitFor('the restarted ghost left and joined again', () => a.events.log.length === 3)
    expect(a.events.log).toEqual(['+ghost', '-ghost', '+ghost'])
    clock.advance(4100)
    expect(a.events.log).toEqual(['+ghost', '-ghost', '+ghost', '-ghost'])
    expect(a.transport.peers().size).toBe(0)
  })

  it('two initServer peers over TabTransport alone elect one coordinator and serve a request', async () => {
    const room = freshRoom('app')
    const servers = ['tab-1', 'tab-2'].map((id, i) => {
      const transport = new TabTransport({ peerId: asPeerId(id), room })
      const server = initServer(room, { transport, random: seededRandom(i + 1) })
      server.onReceive(tokenCounter(server))
      cleanup.push(() => server.stop())
      return server
    })
    await waitFor('both tabs linked', () => servers.every((s) => s.peer.transport.peers().size === 1))
    await waitFor('one coordinator', () => servers.filter((s) => s.isServer()).length === 1)
    const other = servers.find((s) => !s.isServer())
    if (other === undefined) throw new Error('both tabs are coordinators')
    const client = connect(room, { peer: other.peer })
    cleanup.push(() => client.close())
    const result = await client.send({ token: 'from-a-tab' })
    expect(result.status).toBe('acknowledged')
    expect(result.status === 'acknowledged' && result.by).toBe(servers.find((s) => s.isServer())?.peer.transport.localPeer)
    expect(servers.filter((s) => s.isServer())).toHaveLength(1)
  })
})
