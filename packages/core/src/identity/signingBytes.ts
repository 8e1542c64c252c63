import * as encoding from 'lib0/encoding'
import type { DecisionRecord } from '../coordinator/AppDoc.js'
import type { TermRecord } from '../coordinator/Term.js'

/** JSON with object keys sorted at every level, so equal values give equal bytes on every replica. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  }) ?? 'null'
}

/**
 * The bytes a leader signs for a term: a domain tag, the app's name (a signature from one app is
 * worthless in another) and every field the fold uses (epoch, leader, nonce, parent, parentCount,
 * cuts sorted by term, roots in order).
 */
export function termSigningBytes(app: string, term: TermRecord): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarString(e, 'sship/term/v1')
  encoding.writeVarString(e, app)
  encoding.writeVarUint(e, term.epoch)
  encoding.writeVarString(e, term.leader)
  encoding.writeVarUint(e, term.nonce)
  encoding.writeVarString(e, term.parent ?? '')
  encoding.writeVarUint(e, term.parentCount)
  const cuts = Object.entries(term.cuts ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  encoding.writeVarUint(e, cuts.length)
  for (const [k, c] of cuts) {
    encoding.writeVarString(e, k)
    encoding.writeVarUint(e, c)
  }
  const roots = term.roots ?? []
  encoding.writeVarUint(e, roots.length)
  for (const r of roots) encoding.writeVarString(e, r)
  // The app instance, when the term names one (terms from before instances sign the same bytes as before).
  if (term.i !== undefined) encoding.writeVarString(e, term.i)
  return encoding.toUint8Array(e)
}

/**
 * The bytes a leader signs for a decision: a domain tag, the app's name, the decision's key
 * (its term and sequence number) and the canonical JSON of the record (request, ops, reply,
 * error, superseded decision).
 */
export function decisionSigningBytes(app: string, key: string, record: DecisionRecord): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarString(e, 'sship/decision/v1')
  encoding.writeVarString(e, app)
  encoding.writeVarString(e, key)
  encoding.writeVarString(e, canonicalJson({ r: record.r, o: record.o, y: record.y, e: record.e, s: record.s }))
  return encoding.toUint8Array(e)
}

/**
 * The bytes a sender signs for a request: a domain tag, the app's name, the request id (which
 * starts with the sender's GUID) and the canonical JSON of the stored record.
 */
export function requestSigningBytes(app: string, id: string, record: unknown): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarString(e, 'sship/request/v1')
  encoding.writeVarString(e, app)
  encoding.writeVarString(e, id)
  encoding.writeVarString(e, canonicalJson(record))
  return encoding.toUint8Array(e)
}
