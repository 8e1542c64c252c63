/** One dequeue request as the book saw it. */
export interface DequeueRecord {
  readonly request: string
  /** Device index of the consumer. */
  readonly device: number
  /** The consumer's incarnation when it sent (a restarted device forgets its sends). */
  readonly incarnation: number
  readonly sentAt: number
  ackAt?: number
  /** The entry handed out (null: the queue was empty). */
  entry?: string | null
  /** The GUID of the peer whose decision answered it. */
  servedBy?: string
}

/** One enqueued entry as the book saw it. */
export interface EnqueueRecord {
  readonly entry: string
  readonly device: number
  readonly incarnation: number
  readonly at: number
  /** Devices (other than the writer) that saw it, and when the last one did. */
  seenBy: number
  lastSeenAt: number
}

/**
 * The record of every queue operation of a run, kept by the harness on both systems:
 * when each enqueue became visible on every other device, when each dequeue was answered and
 * with which entry. Latencies and the lost/duplicate counts are computed from it.
 */
export class OpBook {
  readonly enqueues = new Map<string, EnqueueRecord>()
  readonly dequeues = new Map<string, DequeueRecord>()

  /** A producer wrote `entry` at `at`. */
  enqueued(entry: string, device: number, incarnation: number, at: number): void {
    this.enqueues.set(entry, { entry, device, incarnation, at, seenBy: 0, lastSeenAt: at })
  }

  /** Some device other than the writer saw `entry` at `at`. */
  seen(entry: string, at: number): void {
    const rec = this.enqueues.get(entry)
    if (rec === undefined) return
    rec.seenBy++
    if (at > rec.lastSeenAt) rec.lastSeenAt = at
  }

  /** A consumer sent dequeue `request` at `at`. */
  sent(request: string, device: number, incarnation: number, at: number): void {
    this.dequeues.set(request, { request, device, incarnation, sentAt: at })
  }

  /** The consumer learnt the answer to `request`. Later answers to the same request are ignored. */
  acked(request: string, at: number, entry: string | null, servedBy: string): void {
    const rec = this.dequeues.get(request)
    if (rec === undefined || rec.ackAt !== undefined) return
    rec.ackAt = at
    rec.entry = entry
    rec.servedBy = servedBy
  }

  /** Milliseconds until every other device saw the entry, for entries written in `[from, to)` that all `others` saw. */
  visibleToAllMs(others: number, from = -Infinity, to = Infinity): number[] {
    const out: number[] = []
    for (const e of this.enqueues.values()) {
      if (e.at >= from && e.at < to && e.seenBy >= others) out.push(e.lastSeenAt - e.at)
    }
    return out
  }

  /** Milliseconds from send to answer, for dequeues sent in `[from, to)`. */
  answeredMs(from = -Infinity, to = Infinity): number[] {
    const out: number[] = []
    for (const d of this.dequeues.values()) {
      if (d.sentAt >= from && d.sentAt < to && d.ackAt !== undefined) out.push(d.ackAt - d.sentAt)
    }
    return out
  }

  /** The first answer after `t` served by someone other than `notBy`, if any. */
  firstAnswerAfter(t: number, notBy?: string): DequeueRecord | undefined {
    let first: DequeueRecord | undefined
    for (const d of this.dequeues.values()) {
      if (d.ackAt === undefined || d.ackAt < t || (notBy !== undefined && d.servedBy === notBy)) continue
      if (first === undefined || d.ackAt < (first.ackAt ?? Infinity)) first = d
    }
    return first
  }

  /** Dequeues never answered whose sender is still the same incarnation and alive (`alive(device, incarnation)`). */
  unanswered(alive: (device: number, incarnation: number) => boolean, sentBefore = Infinity): DequeueRecord[] {
    return [...this.dequeues.values()].filter((d) => d.ackAt === undefined && d.sentAt < sentBefore && alive(d.device, d.incarnation))
  }

  /** Entries handed out by more than one answered dequeue (each extra hand-out counts once). */
  duplicateHandOuts(): number {
    const seen = new Set<string>()
    let dup = 0
    for (const d of this.dequeues.values()) {
      if (d.entry === undefined || d.entry === null) continue
      if (seen.has(d.entry)) dup++
      else seen.add(d.entry)
    }
    return dup
  }
}
