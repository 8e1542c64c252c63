import type { Traffic } from '../../measure/Traffic.js'

/** The app name every bench process joins. */
export const BENCH_APP = 'bench-queue'

/** A command the orchestrator writes to a worker's stdin, one JSON object per line. */
export type WorkerCommand =
  /** Enqueue entry `id` (position `k`) with a payload of `size` bytes made from `seed`. */
  | { readonly c: 'enq'; readonly id: string; readonly k: number; readonly size: number; readonly seed: number }
  /** Send dequeue request `r`. */
  | { readonly c: 'deq'; readonly r: string }
  /** Reply with a {@link StatsEvent}. */
  | { readonly c: 'stats'; readonly tag: string }
  /** Start sampling counters every `everyMs` (clears earlier samples). */
  | { readonly c: 'record'; readonly everyMs: number }
  /** Reply with the samples since `record` ({@link SeriesEvent}). */
  | { readonly c: 'series' }
  /** Reply with when each entry written elsewhere first appeared here, and when this device wrote its own ({@link SeenEvent}). */
  | { readonly c: 'seen' }
  /** Reply with every entry id this replica holds ({@link EntriesEvent}). */
  | { readonly c: 'entries' }
  /** Leave cleanly and exit. */
  | { readonly c: 'quit' }

/** Byte counters of one process at one moment. */
export interface Counters {
  /** Wall-clock time, ms since the epoch (`performance.timeOrigin + performance.now()`). */
  readonly t: number
  /** Bytes this process wrote to its TCP sockets (the central server: read + written). */
  readonly socketBytes: number
  /** The same bytes by category, at the frame layer; `framing` is the rest (WebSocket headers, hellos, pings). */
  readonly traffic: Traffic
  readonly framing: number
}

export interface ReadyEvent { readonly e: 'ready'; readonly t: number; readonly id: string }
/** The device's view of the role changed (sship), or its connection to the server did (client-server). */
export interface RoleEvent { readonly e: 'role'; readonly t: number; readonly coordinator: string | null; readonly epoch: number; readonly leader: boolean }
export interface SuspectedEvent { readonly e: 'suspected'; readonly t: number; readonly leader: string }
export interface AckEvent { readonly e: 'ack'; readonly r: string; readonly sentAt: number; readonly t: number; readonly entry: string | null; readonly by: string }
export interface StatsEvent { readonly e: 'stats'; readonly tag: string; readonly counters: Counters }
export interface SeriesEvent { readonly e: 'series'; readonly samples: readonly Counters[] }
/** `seen`: when entries written elsewhere first appeared here; `wrote`: when this device wrote its own. */
export interface SeenEvent { readonly e: 'seen'; readonly seen: Readonly<Record<string, number>>; readonly wrote: Readonly<Record<string, number>> }
export interface EntriesEvent { readonly e: 'entries'; readonly entries: readonly string[] }
export interface ErrorEvent { readonly e: 'error'; readonly message: string }

/** A line a worker writes to stdout. */
export type WorkerEvent =
  | ReadyEvent | RoleEvent | SuspectedEvent | AckEvent | StatsEvent | SeriesEvent | SeenEvent | EntriesEvent | ErrorEvent

/** Wall-clock milliseconds since the epoch with sub-millisecond resolution, comparable across processes. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now()
}
