import { connect, initServer, type Json, type SendResult, type Server } from '@sship/core'
import { afterEach, describe, expect, it } from 'vitest'
import { SignalingServer } from '../src/server/index.js'
import type { WebrtcTransport } from '../src/index.js'
import { ChildPeer } from './support/ChildPeer.js'
import { nodeTransport, waitFor } from './support/nodePeers.js'
import { tokenCounter } from '@sship/core/testing'

const APP = 'failover-app'

describe('sship over WebrtcTransport: three Node peers (@roamhq/wrtc), all on loopback', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo()
  })

  it('a coordinator crash (SIGKILL of its process) hands the role to another peer, and every request is acknowledged exactly once', async () => {
    const signaling = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
    cleanup.push(() => signaling.close())
    const host = new ChildPeer('./crashablePeer.ts', ['peer-0-host', APP, signaling.url])
    cleanup.push(() => host.kill())
    await host.waitFor('the first peer to host the app', (l) => l.isServer === true)

    const servers: Server[] = []
    const transports: WebrtcTransport[] = []
    for (const [i, id] of ['peer-1', 'peer-2'].entries()) {
      const transport = nodeTransport(id, [signaling.url], 10 + i, { room: APP })
      // WebRTC links can take seconds on a loaded machine: wait for the host's app instead of
      // creating one of our own after the default join grace (which would make this peer a host).
      const server = initServer(APP, { transport, timing: { joinGraceMs: 30_000 } })
      server.onReceive(tokenCounter(server))
      servers.push(server)
      transports.push(transport)
      cleanup.push(() => server.stop())
    }
    const connectMs = await waitFor('all three peers linked', () => transports.every((t) => t.peers().size === 2))
      .catch((e: unknown) => {
        throw new Error(`${String(e)}; links: ${JSON.stringify(transports.map((t) => t.getLinks()))}; host said: ${JSON.stringify(host.lines)}`)
      })
    await host.waitFor('the host to see both peers', (l) => Array.isArray(l.peers) && l.peers.length === 2)
    const client = servers[1]?.peer
    if (client === undefined) throw new Error('no client peer')
    const connection = connect(APP, { peer: client })

    const before = await connection.send({ token: 'before-crash' })
    expect(before.status).toBe('acknowledged')
    expect(before.status === 'acknowledged' && before.by).toBe('peer-0-host')

    // A request in flight while the coordinator dies.
    const during = connection.send({ token: 'during-crash' })
    const crashedAt = performance.now()
    await host.kill()
    await waitFor('a surviving peer to take over', () => servers.some((s) => s.isServer()))
    const takeoverMs = performance.now() - crashedAt
    const after = await connection.send({ token: 'after-crash' })
    const results: SendResult[] = [before, await during, after]
    for (const r of results) expect(r.status, JSON.stringify(r)).toBe('acknowledged')
    expect(after.status === 'acknowledged' && after.by).not.toBe('peer-0-host')

    // Exactly once: the decided state counts each token once, on every surviving replica.
    await waitFor('both survivors to hold all three decisions', () => servers.every((s) => {
      const seen = s.getState().seen as Record<string, Json> | undefined
      return seen !== undefined && Object.keys(seen).length === 3
    }))
    for (const s of servers) {
      expect(s.getState().seen).toEqual({ 'before-crash': 1, 'during-crash': 1, 'after-crash': 1 })
    }
    for (const r of results) expect(r.status === 'acknowledged' && (r.reply as { n?: number } | undefined)?.n).toBe(1)
    console.info(`webrtc failover: links up in ${connectMs.toFixed(0)} ms, takeover ${takeoverMs.toFixed(0)} ms after SIGKILL`)
    connection.close()
  })
})
