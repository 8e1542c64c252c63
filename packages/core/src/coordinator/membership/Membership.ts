import type * as Y from 'yjs'
import type { PeerId } from '../../ids/ids.js'
import type { AppDoc } from '../AppDoc.js'
import { parseDecisionKey } from '../AppDoc.js'
import type { Ledger } from '../Ledger.js'
import { termKey, type TermKey } from '../Term.js'
import { parseRetirement, type Retirement } from './Retirement.js'

/** A successorship-list entry: `g` counts how often the peer (re)joined; absent means 0. */
interface ListEntry {
  readonly id: PeerId
  readonly code: string
  readonly g: number
}

/**
 * Who is a member now: the successorship list minus retired peers. The list in the document is
 * append-only (`{ id, code, g? }`); a retirement `sship.retired[id] = { g, d }` ends the
 * membership that began with the entry of generation `g`, and counts only while decision `d`
 * (written in the same transaction by the coordinator that retired the peer) is canonical: a
 * deposed coordinator's retirements are fenced like its decisions. A retired peer that comes
 * back appends `{ id, code, g: g + 1 }`, so it stands at the end of the list.
 *
 * Terms keep counting for every peer ever listed ({@link AppDoc.eligible}): retiring a peer
 * never rewrites the history it decided. Candidacy ranking, the view and quorum majorities use
 * {@link Membership.members}.
 */
export class Membership {
  private cache: readonly PeerId[] | undefined
  private readonly offDoc: () => void
  private readonly offLedger: () => void

  constructor(private readonly app: AppDoc, private readonly ledger: Ledger) {
    const relevant = new Set<unknown>([app.successors, app.retired, app.leaving, app.meta, app.instances])
    const onTransaction = (tr: Y.Transaction): void => {
      for (const type of tr.changed.keys()) {
        if (relevant.has(type)) {
          this.cache = undefined
          return
        }
      }
    }
    app.doc.on('afterTransaction', onTransaction)
    this.offDoc = () => app.doc.off('afterTransaction', onTransaction)
    // Whether a retirement's decision is canonical changes with the ledger's head.
    this.offLedger = ledger.listen({ changed: () => (this.cache = undefined) })
  }

  /** Current members with the app's code, in successorship order. */
  members(): readonly PeerId[] {
    this.cache ??= this.compute()
    return this.cache
  }

  /** The generation a retirement ended for `id`, if a canonical one did (-1 if none). */
  retiredGeneration(id: PeerId): number {
    const r = parseRetirement(this.app.retired.get(id))
    return r !== undefined && this.canonical(id, r) ? r.g : -1
  }

  /** The generation of `id`'s live entry, or undefined if it has none (never listed, or retired). */
  liveGeneration(id: PeerId): number | undefined {
    const retired = this.retiredGeneration(id)
    let live: number | undefined
    for (const e of this.entries()) if (e.id === id && e.g > retired && (live === undefined || e.g < live)) live = e.g
    return live
  }

  /** Every list entry of the canonical instance ever written, as `{ id, code, g }` (malformed ones dropped). */
  entries(): ListEntry[] {
    const out: ListEntry[] = []
    for (const entry of this.app.successors.toArray()) {
      if (typeof entry !== 'object' || entry === null) continue
      const { id, code, g, i } = entry as { id?: unknown; code?: unknown; g?: unknown; i?: unknown }
      if (typeof id !== 'string' || typeof code !== 'string') continue
      // Only the canonical app instance's list (see AppDoc.instances).
      if ((typeof i === 'string' ? i : '') !== this.app.instance()) continue
      const gen = typeof g === 'number' && Number.isSafeInteger(g) && g >= 0 ? g : 0
      out.push({ id: id as PeerId, code, g: gen })
    }
    return out
  }

  /** Stops observing. */
  destroy(): void {
    this.offDoc()
    this.offLedger()
  }

  private compute(): readonly PeerId[] {
    const code = this.app.code()
    if (code === undefined) return []
    const retired = new Map<PeerId, number>()
    const seen = new Set<PeerId>()
    const out: PeerId[] = []
    for (const e of this.entries()) {
      if (seen.has(e.id) || e.code !== code) continue
      let r = retired.get(e.id)
      if (r === undefined) retired.set(e.id, (r = this.retiredGeneration(e.id)))
      if (e.g <= r) continue
      seen.add(e.id)
      out.push(e.id)
    }
    return out
  }

  /** True if the retirement's decision carries it and is part of the canonical history. */
  private canonical(id: PeerId, r: Retirement): boolean {
    const head = this.ledger.head()
    const at = parseDecisionKey(r.d)
    if (head === null || at === undefined) return false
    // Behind the checkpoint the decision may be deleted; it was checked when it was folded.
    if (this.ledger.behindBase(r.d) && this.ledger.decisionAt(r.d) === undefined) return this.ledger.keeps(termKey(head), at.term as TermKey, at.seq + 1)
    const carried = (this.ledger.decisionAt(r.d) ?? this.app.decisions.get(r.d)) as { m?: { retire?: unknown; g?: unknown } } | undefined
    if (carried?.m?.retire !== id || carried.m.g !== r.g) return false
    return this.ledger.keeps(termKey(head), at.term as TermKey, at.seq + 1)
  }
}
