import type { Json } from '@sship/core'
import { Cluster, type ClusterOptions } from '@sship/core/testing'
import { act, render, type RenderResult } from '@testing-library/react'
import type { ReactNode } from 'react'
import { SshipProvider } from '../../src/index.js'

/** A started cluster (3 servers, 1 client by default) that has settled on s00 as coordinator. */
export function startCluster(options: Partial<ClusterOptions> = {}): Cluster {
  const c = new Cluster({ seed: 1, servers: 3, clients: 1, ...options }).start()
  c.run(1000)
  return c
}

/** Advances the cluster's virtual clock inside `act`, so React renders what changed. */
export function advance(c: Cluster, ms: number): void {
  act(() => c.run(ms))
}

/** Renders `ui` under a provider for member `id` of `c` (its connection and, if any, its server). */
export function renderOn(c: Cluster, id: string, ui: ReactNode): RenderResult {
  const m = c.member(id)
  if (m.connection === undefined) throw new Error(`member ${id} is not running`)
  return render(<SshipProvider connection={m.connection} server={m.server}>{ui}</SshipProvider>)
}

/** Server code for tests: each request is a JSON Merge Patch applied to the server state. */
export const patchHandler: NonNullable<ClusterOptions['handler']> = (server) => (msg: Json) => {
  server.commitChange(msg)
  return null
}
