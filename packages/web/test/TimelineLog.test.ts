import { asPeerId } from '@sship/core'
import { Cluster } from '@sship/core/testing'
import { describe, expect, it } from 'vitest'
import { TimelineKind, TimelineLog } from '../src/status/TimelineLog.js'

describe('TimelineLog', () => {
  it('shows joined, lost, failover and failback from the connection events, in order', () => {
    const cluster = new Cluster({ seed: 7, servers: 3, clients: 1 }).start()
    const connection = cluster.member('c00').connection
    if (connection === undefined) throw new Error('no client')
    const log = new TimelineLog(connection, () => cluster.clock.now())
    let notified = 0
    log.subscribe(() => notified++)
    cluster.run(1500)
    cluster.crash(asPeerId('s00'))
    cluster.runUntil(() => ![null, 's00'].includes(connection.getSnapshot().coordinator) && !connection.getSnapshot().failoverInProgress, 10_000)
    cluster.restart(asPeerId('s00'))
    cluster.runUntil(() => connection.getSnapshot().coordinator === 's00', 20_000)
    const kinds = log.getSnapshot().map((e) => e.kind)
    expect(kinds).toEqual([TimelineKind.Joined, TimelineKind.Lost, TimelineKind.Failover, TimelineKind.Failback])
    expect(notified).toBe(4)
    log.dispose()
  })
})
