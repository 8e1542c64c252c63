import type { RealCluster } from '../systems/real/RealCluster.js'
import type { WorkerProcess } from '../systems/real/WorkerProcess.js'
import type { RoleEvent, SuspectedEvent } from '../systems/real/workerProtocol.js'
import { SystemId } from '../systems/SystemId.js'
import type { RoleTimes } from '../systems/sim/SimQueueSystem.js'

function roles(p: WorkerProcess): RoleEvent[] {
  return p.events.filter((e): e is RoleEvent => e.e === 'role')
}

/**
 * What the devices' own reports say about a kill at `since` (wall-clock ms) of `victim`:
 * the first suspicion (sship) or lost connection (client-server), the server every running
 * device points at now (see `RealCluster.serving`), and when the last of them started pointing there.
 */
export function realRoleTimes(cluster: RealCluster, since: number, victim: string): RoleTimes {
  const others = cluster.devices.filter((d) => cluster.isLive(d) && d.label !== victim)
  let detectedAt: number | null = null
  for (const d of others) {
    for (const e of d.events) {
      const hit = cluster.options.system === SystemId.ClientServer
        ? e.e === 'role' && e.coordinator === null
        : e.e === 'suspected' && (e as SuspectedEvent).leader === victim
      if (hit && 't' in e && e.t >= since && (detectedAt === null || e.t < detectedAt)) detectedAt = e.t
    }
  }
  const running = cluster.devices.filter((d) => cluster.isLive(d))
  const server = cluster.options.system === SystemId.ClientServer
    ? (cluster.isLive(cluster.server) ? 'srv' : null)
    : (cluster.serving()?.label ?? null)
  let repointedAt: number | null = server === null ? null : since
  for (const d of running) {
    if (repointedAt === null) break
    const rs = roles(d)
    if (rs.at(-1)?.coordinator !== server) {
      repointedAt = null
      break
    }
    let from = rs.length - 1
    while (from > 0 && rs[from - 1]?.coordinator === server) from--
    repointedAt = Math.max(repointedAt, rs[from]?.t ?? since)
  }
  return { detectedAt, server, repointedAt }
}
