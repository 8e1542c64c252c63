import * as Y from 'yjs'
import { asPeerId, connect, initServer } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'

describe('a peer started from a saved document', () => {
  it('decides the requests the document already held undecided (the judge found a restarted coordinator that never did)', () => {
    // A client alone records a request: nobody serves, so it stays undecided in its document.
    const before = new MemoryNetwork({ seed: 7 })
    const client = connect('saved', { transport: before.transport(asPeerId('c00')), clock: before.clock, random: seededRandom(7) })
    void client.send({ op: 'ping' })
    before.clock.advance(500)
    const saved = Y.encodeStateAsUpdate(client.doc)
    client.close()

    // A server starts from that document: it must see the request as pending and decide it.
    const network = new MemoryNetwork({ seed: 8 })
    const doc = new Y.Doc()
    Y.applyUpdate(doc, saved)
    const server = initServer('saved', { transport: network.transport(asPeerId('s00')), clock: network.clock, random: seededRandom(8), doc })
    const seen: unknown[] = []
    server.onReceive((msg) => {
      seen.push(msg)
      return { ok: true }
    })
    network.clock.advance(2000)
    expect(server.isServer()).toBe(true)
    expect(seen).toEqual([{ op: 'ping' }])
  })
})
