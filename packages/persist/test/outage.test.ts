import { connect, initServer, type Connection, type Server, type SshipError } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { MemoryNetwork, tokenCounter, VirtualClock } from '@sship/core/testing'
import type * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { openDocLog, type DocLog } from '../src/index.js'
import { tempDirs } from './support/tempDir.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

/** The app's replicated layout (core's `AppDoc`), as plain JSON. */
function appState(doc: Y.Doc): Record<string, unknown> {
  return {
    meta: doc.getMap('sship.meta').toJSON(),
    successors: doc.getArray('sship.successors').toJSON(),
    terms: doc.getMap('sship.terms').toJSON(),
    log: doc.getMap('sship.log').toJSON()
  }
}

/** Entries of one kind (`r` requests, `d` decisions) across the document's buckets (`sship.log`), signatures left out. */
function logEntries(state: Record<string, unknown>, kind: 'r' | 'd'): string[] {
  const log = state.log as Record<string, Record<string, unknown>>
  return Object.entries(log).filter(([name]) => name.startsWith(`${kind}|`)).flatMap(([, bucket]) => Object.keys(bucket).filter((k) => !k.startsWith('~')))
}

/** One app on a fresh in-memory network: a server and a client, each on its own persisted doc. */
function boot(network: MemoryNetwork, serverLog: DocLog, clientLog: DocLog, errors: SshipError[], seed: number): { server: Server; client: Connection } {
  const common = { clock: network.clock, onError: (e: SshipError) => errors.push(e) }
  const server = initServer('outage', { ...common, transport: network.transport(serverLog.peerId), doc: serverLog.doc, random: seededRandom(seed) })
  server.onReceive(tokenCounter(server))
  const client = connect('outage', { ...common, transport: network.transport(clientLog.peerId), doc: clientLog.doc, random: seededRandom(seed + 1) })
  return { server, client }
}

const statuses = (c: Connection): string[] => c.getRequests().map((r) => r.status)

function runUntil(clock: VirtualClock, done: () => boolean, maxMs = 10_000): void {
  for (let t = 0; t < maxMs && !done(); t += 10) clock.advance(10)
  expect(done()).toBe(true)
}

describe('total outage', () => {
  it('restores meta, successors, decisions and pending requests from disk alone, and decides the pending ones', async () => {
    const serverDir = dirs.make()
    const clientDir = dirs.make()
    const errors: SshipError[] = []
    let serverLog = openDocLog(serverDir, { fsync: false, random: seededRandom(1) })
    let clientLog = openDocLog(clientDir, { fsync: false, random: seededRandom(2) })
    const net1 = new MemoryNetwork({ seed: 3 })
    const first = boot(net1, serverLog, clientLog, errors, 4)
    net1.clock.advance(500)

    const acked = ['a', 'b', 'c'].map((token) => first.client.send({ token }))
    runUntil(net1.clock, () => statuses(first.client).every((s) => s === 'acknowledged'))
    expect((await Promise.all(acked)).map((r) => r.status)).toEqual(['acknowledged', 'acknowledged', 'acknowledged'])

    // The server's device dies; the client keeps sending into the document, where nobody decides.
    net1.crash(serverLog.peerId)
    const late = ['d', 'e'].map((token) => first.client.send({ token }))
    net1.clock.advance(2000)
    expect(statuses(first.client)).toEqual(['acknowledged', 'acknowledged', 'acknowledged', 'pending', 'pending'])

    // Then everything stops: both processes, both logs.
    const serverBefore = appState(serverLog.doc)
    const clientBefore = appState(clientLog.doc)
    const stateBefore = first.server.getState()
    expect(stateBefore).toEqual({ seen: { a: 1, b: 1, c: 1 } })
    first.client.close()
    first.client.peer.stop()
    first.server.stop()
    serverLog.close()
    clientLog.close()
    // Closing the connection failed the promises; the requests themselves stay in the document.
    expect((await Promise.all(late)).map((r) => r.status)).toEqual(['failed', 'failed'])

    serverLog = openDocLog(serverDir, { fsync: false, random: seededRandom(5) })
    clientLog = openDocLog(clientDir, { fsync: false, random: seededRandom(6) })
    expect(appState(serverLog.doc)).toEqual(serverBefore)
    expect(appState(clientLog.doc)).toEqual(clientBefore)
    expect(logEntries(clientBefore, 'r')).toHaveLength(5)

    // Restart both on a new network, the clock having moved on, with the same GUIDs.
    const net2 = new MemoryNetwork({ seed: 7, clock: new VirtualClock(net1.clock.now() + 60_000) })
    const second = boot(net2, serverLog, clientLog, errors, 8)
    expect(second.server.getState()).toEqual(stateBefore)
    expect(second.server.getSnapshot().successors[0]).toBe(serverLog.peerId)
    runUntil(net2.clock, () => Object.keys(second.client.getState().seen as object).length === 5)
    expect(second.client.getState()).toEqual({ seen: { a: 1, b: 1, c: 1, d: 1, e: 1 } })
    expect(second.server.isServer()).toBe(true)
    // A connection made after the restart does not adopt the old session's sends.
    expect(second.client.getRequests()).toEqual([])

    second.client.close()
    second.client.peer.stop()
    second.server.stop()
    serverLog.close()
    clientLog.close()
    const last = openDocLog(serverDir)
    expect(logEntries(appState(last.doc), 'd')).toHaveLength(5)
    last.close()
    expect(errors).toEqual([])
    expect(net1.handlerErrors()).toEqual([])
    expect(net2.handlerErrors()).toEqual([])
  })
})
