import * as Y from 'yjs'
import { SimClientServer } from '../dist/systems/sim/SimClientServer.js'
import { OpBook } from '../dist/measure/OpBook.js'
const s = new SimClientServer(3, 1, new OpBook())
s.start(); s.clock.advance(3000)
const show = (u, tag) => console.log(tag, u.byteLength, JSON.stringify(Y.decodeUpdate(u).structs.map((x) => ({ key: x.parentSub, parent: typeof x.parent === 'string' ? x.parent : undefined, content: x.content?.getContent?.() }))), 'ds', Y.decodeUpdate(u).ds.clients.size)
console.log(Object.keys(s))
const doc = s.docs?.[2] ?? s.clients?.[2]?.doc
doc.on('update', (u, origin, d, tr) => show(u, tr.local ? 'local' : 'remote'))
s.enqueue(0, { id: 'e1', k: 1, p: 'x'.repeat(64) })
s.clock.advance(50)
const b0 = s.traffic()
s.dequeue(2, 'r1')
s.clock.advance(50)
console.log(JSON.stringify(b0), JSON.stringify(s.traffic()))
