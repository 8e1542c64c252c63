import { asPeerId, connect, initServer, type SendResult } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork, tokenCounter, type VirtualClock } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  followSignaling, publishSignaling, SIGNALING_DIRECTORY, signalingUrlsIn, WebrtcError, WebrtcErrorCode, type SignalingTarget
} from '../src/index.js'

/** A SignalingTarget that records what it is told, as a WebrtcTransport would (idempotent add). */
class FakeTarget implements SignalingTarget {
  readonly urls: string[]
  readonly log: string[] = []
  constructor(initial: string[] = []) {
    this.urls = [...initial]
  }
  addSignaling(url: string): boolean {
    this.log.push(`+${url}`)
    if (this.urls.includes(url)) return false
    this.urls.push(url)
    return true
  }
  removeSignaling(url: string): boolean {
    this.log.push(`-${url}`)
    const i = this.urls.indexOf(url)
    if (i < 0) return false
    this.urls.splice(i, 1)
    return true
  }
}

/** Two docs kept in sync by hand, as two peers' replicas. */
function pairedDocs(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'))
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'))
  return [a, b]
}

const S1 = 'ws://127.0.0.1:4001'
const S2 = 'ws://127.0.0.1:4002'
const S3 = 'wss://[::1]:4003/path'

describe('the signaling directory in the Y.Doc', () => {
  it('publishSignaling writes only its own key, and its undo removes the entry unless it was replaced', () => {
    const doc = new Y.Doc()
    const undoA = publishSignaling(doc, 'peer-a', S1)
    const undoB = publishSignaling(doc, 'peer-b', [S2, S3])
    expect(doc.getMap(SIGNALING_DIRECTORY).toJSON()).toEqual({ 'peer-a': [S1], 'peer-b': [S2, S3] })
    expect(signalingUrlsIn(doc)).toEqual([S1, S2, S3])
    undoA()
    expect([...doc.getMap(SIGNALING_DIRECTORY).keys()]).toEqual(['peer-b'])
    publishSignaling(doc, 'peer-b', S1)
    undoB()
    expect(doc.getMap(SIGNALING_DIRECTORY).toJSON()).toEqual({ 'peer-b': [S1] })
  })

  it('publishSignaling refuses a URL that is not ws:/wss: with a typed error', () => {
    const doc = new Y.Doc()
    for (const bad of ['http://127.0.0.1:1', 'ws:', 'not a url', '']) {
      expect(() => publishSignaling(doc, 'p', bad)).toThrow(WebrtcError)
      try {
        publishSignaling(doc, 'p', bad)
      } catch (error) {
        expect((error as WebrtcError).code).toBe(WebrtcErrorCode.BadUrl)
      }
    }
    expect(() => publishSignaling(doc, 'p', [])).toThrow(WebrtcError)
    expect(doc.getMap(SIGNALING_DIRECTORY).size).toBe(0)
  })

  it('followSignaling adds what is there and what another replica publishes later, removes what it added when unpublished, never the transport\'s own', () => {
    const [here, there] = pairedDocs()
    publishSignaling(there, 'peer-b', S2)
    const target = new FakeTarget([S1])
    const stop = followSignaling(here, target)
    expect(target.urls).toEqual([S1, S2])
    const undoC = publishSignaling(there, 'peer-c', [S3, S1])
    expect(target.urls).toEqual([S1, S2, S3])
    undoC()
    expect(target.urls).toEqual([S1, S2])
    there.getMap(SIGNALING_DIRECTORY).delete('peer-b')
    expect(target.urls).toEqual([S1])
    stop()
    publishSignaling(there, 'peer-d', S2)
    expect(target.urls).toEqual([S1])
  })

  it('ignores malformed entries, reports each once through onError and never throws', () => {
    const [here, there] = pairedDocs()
    const target = new FakeTarget()
    const errors: { code: string; peer: string }[] = []
    followSignaling(here, target, { onError: (e, peer) => errors.push({ code: e.code, peer }) })
    const map = there.getMap<unknown>(SIGNALING_DIRECTORY)
    map.set('peer-x', 42)
    map.set('peer-y', ['http://127.0.0.1:1', S2, { url: S3 }])
    map.set('peer-z', 'ws://127.0.0.1:4004')
    expect(target.urls).toEqual([S2, 'ws://127.0.0.1:4004'])
    expect(errors).toEqual([
      { code: 'bad-entry', peer: 'peer-x' },
      { code: 'bad-entry', peer: 'peer-y' },
      { code: 'bad-entry', peer: 'peer-y' }
    ])
    const throwing = followSignaling(here, new FakeTarget(), { onError: () => { throw new Error('callback bug') } })
    expect(() => map.set('peer-w', null)).not.toThrow()
    throwing()
  })

  it('adds at most maxUrls URLs and reports the rest', () => {
    const doc = new Y.Doc()
    const target = new FakeTarget()
    const errors: string[] = []
    followSignaling(doc, target, { maxUrls: 2, onError: (e) => errors.push(e.code) })
    publishSignaling(doc, 'p', [S1, S2, S3])
    expect(target.urls).toEqual([S1, S2])
    expect(errors).toEqual(['bad-entry'])
  })
})

/** Advances virtual time in 5 ms steps. */
function run(clock: VirtualClock, ms: number): void {
  for (let t = 0; t < ms; t += 5) clock.advance(5)
}

describe('the signaling directory in a live sship app (MemoryNetwork, seed 41)', () => {
  it('replicates to the other peer, is followed there, and leaves the coordinator undisturbed (one server, requests decided)', async () => {
    const network = new MemoryNetwork({ seed: 41 })
    const clock = network.clock
    const servers = ['s0', 's1'].map((id, i) => initServer('dir-app', { transport: network.transport(asPeerId(id)), clock, random: seededRandom(i + 1) }))
    for (const s of servers) s.onReceive(tokenCounter(s))
    const [s0, s1] = servers as [(typeof servers)[0], (typeof servers)[0]]
    run(clock, 2000)
    const target = new FakeTarget()
    const errors: string[] = []
    followSignaling(s0.peer.doc, target, { onError: (e, peer) => errors.push(`${e.code}:${peer}`) })
    const unpublish = publishSignaling(s1.peer.doc, 's1', S2)
    s1.peer.doc.getMap(SIGNALING_DIRECTORY).set('mallory', { not: 'a url' })
    run(clock, 500)
    expect(target.urls).toEqual([S2])
    expect(errors).toEqual(['bad-entry:mallory'])
    expect(servers.filter((s) => s.isServer())).toHaveLength(1)
    const client = connect('dir-app', { peer: s1.peer })
    let result: SendResult | undefined
    void client.send({ token: 't1' }).then((r) => {
      result = r
    })
    for (let i = 0; i < 100 && result === undefined; i++) {
      run(clock, 20)
      await Promise.resolve()
    }
    expect(result?.status).toBe('acknowledged')
    unpublish()
    run(clock, 500)
    expect(target.urls).toEqual([])
    expect(signalingUrlsIn(s0.peer.doc)).toEqual([])
    expect(network.handlerErrors()).toEqual([])
    client.close()
    for (const s of servers) s.stop()
  })
})
