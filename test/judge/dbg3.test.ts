import { it } from 'vitest'
import { World, type ClientNode, type ServerNode } from './world.js'
import { CLEAN } from './finish.js'
it('dbg', () => {
  const seed = Number(process.env.S ?? 3)
  const w = new World({ seed, servers: 3, clients: 2, mode: 'quorum', faults: { latencyMs: { min: 5, max: 20 } } }).start()
  const [s0] = w.servers as [ServerNode, ServerNode, ServerNode]
  const [c0, c1] = w.clients as [ClientNode, ClientNode]
  w.runUntil(() => w.liveConnections().every((c) => c.getSnapshot().coordinator === s0.id), 10000, 10)
  w.send(c0, { op: 'enq', item: 'a' }); w.run(1000)
  const saved = w.crash(s0)
  w.runUntil(() => w.alive().some((s) => s.server?.isServer() === true), 15_000, 10)
  w.send(c1, { op: 'enq', item: 'b' }); w.run(1000)
  w.restart(s0, saved)
  w.runUntil(() => s0.server?.isServer() === true, 15_000, 1)
  w.partition([[s0.id]])
  for (let i = 0; i < 4; i++) { w.send(i % 2 === 0 ? c0 : c1, i % 2 === 0 ? { op: 'deq' } : { op: 'enq', item: `x${i}` }); w.run(300) }
  w.run(3000)
  w.heal(); w.network.setFaults(CLEAN)
  for (let t = 0; t < 20; t++) {
    w.run(500)
    console.log(t, w.alive().map((s) => { const sn = s.server!.getSnapshot(); return `${s.id}:${sn.role}/${sn.coordinator}@${sn.epoch}` }).join(' '), w.clients.map((c) => c.conn.getSnapshot().coordinator + '@' + c.conn.getSnapshot().epoch).join(' '))
  }
})
