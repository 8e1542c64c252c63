import * as Y from 'yjs'
import { SimSship } from '../dist/systems/sim/SimSship.js'
import { SimClientServer } from '../dist/systems/sim/SimClientServer.js'
import { OpBook } from '../dist/measure/OpBook.js'
const s = new SimSship(3, true, 1, new OpBook())
s.start(); s.clock.advance(3000)
const doc = s.member(2).connection.peer.doc
const st0 = s.cluster.network.stats().total
doc.on('update', (u, origin, d, tr) => { console.log('update', u.byteLength, tr.local ? 'local' : 'remote', JSON.stringify(Y.decodeUpdate(u).structs.map((x) => ({ c: x.id.client, k: x.id.clock, key: x.parentSub, len: x.length, content: x.content?.getContent?.() })))) })
s.enqueue(0, { id: 'e1', k: 1, p: 'x'.repeat(64) })
s.clock.advance(50)
console.log('--- enqueue net', s.cluster.network.stats().total.bytes - st0.bytes)
const st1 = s.cluster.network.stats().total
s.dequeue(2, 'r1')
s.clock.advance(50)
const st2 = s.cluster.network.stats().total
console.log('--- dequeue net', st2.bytes - st1.bytes, 'msgs', st2.messages - st1.messages)
console.log(JSON.stringify(s.member(0).connection.peer.stats.bytesOutByType), JSON.stringify(s.member(2).connection.peer.stats.bytesOutByType))
