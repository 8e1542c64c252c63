import type { PeerId } from '../../ids/ids.js'
import type { AppDoc } from '../AppDoc.js'
import type { Membership } from './Membership.js'
import { parseLeaving } from './Retirement.js'

/** A membership the coordinator should end now. */
export interface DueRetirement {
  readonly id: PeerId
  /** The generation of the membership that ends. */
  readonly g: number
}

/**
 * The coordinator's side of forgetting: which member to retire next. A member that said it
 * left (`sship.leaving`) is retired at once; one not connected to the coordinator for
 * `retireAfterMs` (long enough for a phone in a pocket) is retired too. The initial host is
 * never retired. A new term counts every member as seen at its start, so a coordinator that
 * just took over never retires anyone on stale evidence.
 */
export class Retirer {
  private readonly lastSeen = new Map<PeerId, number>()
  private term = ''
  private termStart = 0

  constructor(private readonly app: AppDoc, private readonly membership: Membership, private readonly retireAfterMs: number) {}

  /** The next member to retire, if one is due (call on every heartbeat round of term `term`). */
  due(term: string, now: number, self: PeerId, connected: ReadonlySet<PeerId>): DueRetirement | undefined {
    if (term !== this.term) {
      this.term = term
      this.termStart = now
      this.lastSeen.clear()
    }
    const initial = this.app.initialHost()
    let found: DueRetirement | undefined
    for (const id of this.membership.members()) {
      if (id === self || id === initial) continue
      if (connected.has(id)) {
        this.lastSeen.set(id, now)
        continue
      }
      if (found !== undefined) continue
      const g = this.membership.liveGeneration(id)
      if (g === undefined) continue
      const left = parseLeaving(this.app.leaving.get(id))
      const seen = Math.max(this.lastSeen.get(id) ?? -Infinity, this.termStart)
      if ((left !== undefined && left >= g) || now - seen >= this.retireAfterMs) found = { id, g }
    }
    return found
  }
}
