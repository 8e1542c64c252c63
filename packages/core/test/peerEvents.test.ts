import { asPeerId, connect, initServer, ServerChange, StoppedError, type SshipEvent } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { Cluster, MemoryNetwork, VirtualClock } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'

/** The server changes a listener saw, as `change:from>to`. */
const changes = (events: readonly SshipEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'server-changed' ? [`${e.change}:${e.from ?? ''}>${e.to}`] : []))

describe('onEvent and whenReady', () => {
  it('a client: ready once linked and synced, then failover, failback, each reported once and in plain words', async () => {
    const cluster = new Cluster({ seed: 5, servers: 3, clients: 1 }).start()
    const client = cluster.member('c00').connection
    if (client === undefined) throw new Error('no client')
    const events: SshipEvent[] = []
    client.onEvent((e) => events.push(e))
    let ready = false
    void client.whenReady().then(() => { ready = true })
    expect(client.peer.isReady()).toBe(false)
    cluster.run(1500)
    await Promise.resolve()
    expect(ready).toBe(true)
    expect(events.filter((e) => e.type === 'ready')).toMatchObject([{ type: 'ready', server: 's00', epoch: 1 }])
    expect(events.some((e) => e.type === 'link-up' && e.peer === 's00')).toBe(true)

    cluster.crash(asPeerId('s00'))
    cluster.runUntil(() => client.getSnapshot().coordinator !== 's00' && client.getSnapshot().coordinator !== null && !client.getSnapshot().failoverInProgress, 10_000)
    const next = client.getSnapshot().coordinator ?? ''
    cluster.restart(asPeerId('s00'))
    cluster.runUntil(() => client.getSnapshot().coordinator === 's00', 20_000)
    cluster.run(500)
    expect(changes(events)).toEqual([`${ServerChange.Joined}:>s00`, `${ServerChange.Failover}:s00>${next}`, `${ServerChange.Failback}:${next}>s00`])
    // A silent crash: the client suspects the server before a successor claims.
    expect(events.filter((e) => e.type === 'server-lost').map((e) => e.type === 'server-lost' && e.server)).toEqual(['s00'])
    // Already ready: resolves at once.
    await expect(client.whenReady()).resolves.toBeUndefined()
  })

  it('the server sees its own role change, and whenReady resolves for a lone first host', async () => {
    const clock = new VirtualClock()
    const network = new MemoryNetwork({ seed: 2, clock })
    const server = initServer('solo', { transport: network.transport(asPeerId('h')), clock, random: seededRandom(1) })
    const events: SshipEvent[] = []
    server.onEvent((e) => events.push(e))
    const ready = server.whenReady()
    for (let i = 0; i < 40; i++) clock.advance(100)
    await ready
    expect(events.filter((e) => e.type === 'role-changed').map((e) => e.type === 'role-changed' && e.role).at(-1)).toBe('leader')
    expect(events.some((e) => e.type === 'coordinator' && e.event.type === 'claimed')).toBe(true)
    server.stop()
    expect(events.at(-1)?.type).toBe('stopped')
  })

  it('whenReady rejects with StoppedError when the peer stops first (and after)', async () => {
    const clock = new VirtualClock()
    const network = new MemoryNetwork({ seed: 3, clock })
    const lonely = connect('nobody-serves', { transport: network.transport(asPeerId('c')), clock, random: seededRandom(2) })
    const waiting = lonely.whenReady()
    clock.advance(3000)
    lonely.peer.stop()
    await expect(waiting).rejects.toBeInstanceOf(StoppedError)
    await expect(lonely.whenReady()).rejects.toBeInstanceOf(StoppedError)
  })

  it('the logger gets one line per event under sship:* namespaces; a client that started from a kept history says resumed', () => {
    const clock = new VirtualClock()
    const network = new MemoryNetwork({ seed: 4, clock })
    const lines: string[] = []
    const logger = (ns: string, line: string): void => { lines.push(`${ns} ${line}`) }
    const server = initServer('logged', { transport: network.transport(asPeerId('h')), clock, random: seededRandom(3), logger })
    const client = connect('logged', { transport: network.transport(asPeerId('c')), clock, random: seededRandom(4), logger })
    for (let i = 0; i < 40; i++) {
      clock.advance(100)
      network.flush()
    }
    expect(lines).toContain('sship:link link up: c')
    expect(lines).toContain('sship:coordinator joined: h is the server (epoch 1)')
    expect(lines).toContain('sship:coordinator ready: server h, epoch 1')
    expect(lines.filter((l) => l.includes('ready:'))).toHaveLength(2)
    // A second client that starts from the first one's document (as a reloaded page does).
    const events: SshipEvent[] = []
    const kept = new Y.Doc()
    Y.applyUpdate(kept, Y.encodeStateAsUpdate(client.doc))
    const resumed = connect('logged', { transport: network.transport(asPeerId('c2')), clock, random: seededRandom(5), doc: kept, logger: false })
    resumed.onEvent((e) => events.push(e))
    for (let i = 0; i < 20; i++) {
      clock.advance(100)
      network.flush()
    }
    expect(changes(events)).toEqual([`${ServerChange.Resumed}:>h`])
    server.stop()
  })
})
