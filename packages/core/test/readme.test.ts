import { describe, expect, it } from 'vitest'
import { connect, initServer, seededRandom, type SendResult } from '../src/index.js'
import { MemoryNetwork } from '../src/testing/index.js'
import { asPeerId } from '../src/ids/ids.js'

/** The example of packages/core/README.md, on the in-memory network under virtual time. */
describe('the README example', () => {
  it('counts: a send is decided by the server role and its reply comes back', async () => {
    const network = new MemoryNetwork({ seed: 1 })
    const transport = network.transport(asPeerId('host'))
    const clock = network.clock

    const server = initServer('counter', { transport, clock, random: seededRandom(1) })
    server.onReceive(() => {
      const count = Number(server.getState().count ?? 0) + 1
      server.commitChange({ count })
      return count
    })
    const connection = connect('counter', { peer: server.peer })
    const states: unknown[] = []
    connection.subscribeState(() => states.push(connection.getState()))

    let result: SendResult | undefined
    void connection.send({ op: 'increment' }).then((r) => { result = r })
    for (let ms = 0; ms < 10_000 && result === undefined; ms += 10) {
      clock.advance(10)
      await Promise.resolve()
    }
    expect(result).toMatchObject({ status: 'acknowledged', reply: 1 })
    expect(connection.getState()).toEqual({ count: 1 })
    expect(states.at(-1)).toEqual({ count: 1 })
    server.stop()
  })
})
