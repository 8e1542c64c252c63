import type { CoordinatorSnapshot, PeerId } from '@sship/core'
import type { OutputRecord } from './Output.js'

/** What `sship join` prints whenever the coordinator snapshot or the set of linked peers changes. */
export interface StatusRecord extends OutputRecord {
  readonly type: 'status'
  /** Milliseconds since the process started. */
  readonly t: number
  readonly self: PeerId
  readonly role: string
  readonly coordinator: PeerId | null
  readonly epoch: number
  readonly failoverInProgress: boolean
  /** Peers the coordinator last reported alive. */
  readonly alive: readonly PeerId[]
  /** The successorship list. */
  readonly successors: readonly PeerId[]
  /** Peers this process has a link to. */
  readonly linked: readonly PeerId[]
}

/** Builds a {@link StatusRecord}. Pure. */
export function statusRecord(t: number, s: CoordinatorSnapshot, linked: ReadonlySet<PeerId>): StatusRecord {
  return {
    type: 'status', t: Math.round(t), self: s.self, role: s.role, coordinator: s.coordinator, epoch: s.epoch,
    failoverInProgress: s.failoverInProgress, alive: s.alive, successors: s.successors, linked: [...linked].sort()
  }
}

const short = (id: string | null): string => (id === null ? '-' : id.length > 12 ? `${id.slice(0, 8)}…` : id)

/** One human line for any CLI record. Pure. */
export function renderRecord(r: OutputRecord): string {
  switch (r.type) {
    case 'status': {
      const s = r as StatusRecord
      return `${short(s.self)} ${s.role}  coordinator ${short(s.coordinator)}  epoch ${s.epoch}  ` +
        `alive ${s.alive.length}  linked ${s.linked.length}  successors ${s.successors.map(short).join(' > ') || '-'}` +
        (s.failoverInProgress ? '  (failover in progress)' : '')
    }
    case 'ready':
      return `joined "${String(r.app)}" as ${String(r.self)}, listening on ${String(r.address)} (mDNS port ${String(r.mdnsPort)})`
    case 'coordinator-event': {
      const e = r.event as { type: string; term?: { epoch?: number; leader?: string }; leader?: string; to?: string }
      const detail = e.term !== undefined ? ` epoch ${String(e.term.epoch)} (${short(e.term.leader ?? null)})` : e.leader !== undefined ? ` ${short(e.leader)}` : e.to !== undefined ? ` to ${short(e.to)}` : ''
      return `${e.type}${detail}`
    }
    case 'ack':
      return `ack ${String(r.id)}: ${JSON.stringify(r.reply)} (epoch ${String(r.epoch)})`
    default:
      return Object.entries(r).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
  }
}
