import { judge, type Verdict } from './verdict.js'
import { settle, type World } from './world.js'

/** Clean links after the final heal: low latency, nothing lost, duplicated or reordered. */
export const CLEAN = { latencyMs: { min: 1, max: 5 }, dropRate: 0, duplicateRate: 0, reorderRate: 0 } as const

/**
 * The final heal and quiescence: mend every link, wait until every send is decided and everyone
 * follows one coordinator (bounded), then long enough for a failback and anti-entropy to finish,
 * let the send promises resolve, and judge.
 */
export async function healAndJudge(world: World, mode: 'availability' | 'quorum', quietMs = 4000): Promise<Verdict> {
  world.heal()
  world.network.setFaults(CLEAN)
  const quiet = (): boolean => {
    if (world.clients.some((c) => c.conn.getRequests().some((r) => r.status === 'pending'))) return false
    const views = new Set(world.liveConnections().map((c) => `${c.getSnapshot().coordinator ?? ''}@${c.getSnapshot().epoch}`))
    return views.size === 1 && ![...views][0]!.startsWith('@')
  }
  world.runUntil(quiet, 30_000, 50)
  world.run(quietMs)
  world.runUntil(quiet, 30_000, 50)
  await settle()
  return judge(world, mode)
}
