/**
 * What the bytes on the wire were for. Replication and requests both travel as Yjs sync
 * messages, so `data`, `requests` and `control` split the sync traffic by the part of the
 * document each update touched (see {@link classifyTransaction}).
 */
export const TrafficCategory = {
  /** Updates of the app's data: the queue entries and their payloads (enqueues). */
  Data: 'data',
  /** Updates of requests, decisions and replies (dequeues). */
  Requests: 'requests',
  /** Sync steps 1 and 2: state exchange on join, anti-entropy repairs, catch-up before a claim. */
  Repair: 'repair',
  /** The failure detector: heartbeats, acks, alive views, anti-entropy digests (awareness and pings for y-websocket). */
  Liveness: 'liveness',
  /** Role changes: catch-up, handoff and vote messages, and updates of terms, successors and metadata. */
  Control: 'control'
} as const
/** One of {@link TrafficCategory}'s values. */
export type TrafficCategory = (typeof TrafficCategory)[keyof typeof TrafficCategory]

/** Bytes by category. */
export type Traffic = Record<TrafficCategory, number>

/** All categories, in report order. */
export const TRAFFIC_CATEGORIES: readonly TrafficCategory[] = Object.values(TrafficCategory)

/** A zeroed {@link Traffic}. */
export function emptyTraffic(): Traffic {
  return { data: 0, requests: 0, repair: 0, liveness: 0, control: 0 }
}

/** `a + b`, category by category. */
export function addTraffic(a: Traffic, b: Traffic): Traffic {
  const out = emptyTraffic()
  for (const k of TRAFFIC_CATEGORIES) out[k] = a[k] + b[k]
  return out
}

/** `a - b`, category by category. */
export function subTraffic(a: Traffic, b: Traffic): Traffic {
  const out = emptyTraffic()
  for (const k of TRAFFIC_CATEGORIES) out[k] = a[k] - b[k]
  return out
}

/** `t * factor`, category by category. */
export function scaleTraffic(t: Traffic, factor: number): Traffic {
  const out = emptyTraffic()
  for (const k of TRAFFIC_CATEGORIES) out[k] = t[k] * factor
  return out
}

/** Sum over every category. */
export function trafficTotal(t: Traffic): number {
  return TRAFFIC_CATEGORIES.reduce((sum, k) => sum + t[k], 0)
}

/**
 * The brief's three-way split: `sync` (data + repair), `liveness`, `requests`, plus `control`
 * (role changes), which is zero in steady state.
 */
export function threeWaySplit(t: Traffic): { sync: number; liveness: number; requests: number; control: number } {
  return { sync: t.data + t.repair, liveness: t.liveness, requests: t.requests, control: t.control }
}
