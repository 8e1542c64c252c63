import type { TimerHandle } from '../clock/Clock.js'
import type { LinkKey } from './NetworkStats.js'
import type { VirtualClock } from './VirtualClock.js'

/** A frame on its way from one endpoint to another. @internal */
export interface InFlightFrame<E> {
  readonly from: E
  readonly to: E
  readonly link: LinkKey
  /** A private copy: the sender may reuse its buffer and the receiver owns what it gets. */
  readonly data: Uint8Array
}

interface Scheduled<E> extends InFlightFrame<E> {
  timer: TimerHandle
}

/**
 * The frames a {@link MemoryNetwork} has in flight, each delivered by a {@link VirtualClock}
 * timer. Keeps FIFO order per pair of endpoints (peer incarnations) for frames that ask for it.
 * @internal
 */
export class InFlightFrames<E extends object> {
  private readonly frames = new Set<Scheduled<E>>()
  /** Per sender and receiver, the delivery time of the last FIFO frame between them. */
  private readonly fifo = new WeakMap<E, WeakMap<E, number>>()

  /** `onDue` receives each frame when its timer fires (after it left the in-flight set). */
  constructor(
    private readonly clock: VirtualClock,
    private readonly onDue: (frame: InFlightFrame<E>) => void
  ) {}

  /** How many frames are in flight. */
  get size(): number {
    return this.frames.size
  }

  /**
   * Schedules a copy of `data` for delivery at `at`, or, if `fifo`, at the earliest at the time
   * of the previous FIFO frame on the same link (the clock runs ties in scheduling order).
   */
  schedule(from: E, to: E, link: LinkKey, data: Uint8Array, at: number, fifo: boolean): void {
    if (fifo) {
      let last = this.fifo.get(from)
      if (last === undefined) {
        last = new WeakMap()
        this.fifo.set(from, last)
      }
      at = Math.max(at, last.get(to) ?? at)
      last.set(to, at)
    }
    const frame: Scheduled<E> = { from, to, link, data: data.slice(), timer: 0 }
    frame.timer = this.clock.setTimeoutAt(() => {
      this.frames.delete(frame)
      this.onDue(frame)
    }, at)
    this.frames.add(frame)
  }

  /** Cancels every frame from or to `endpoint` and returns them. */
  cancelFor(endpoint: E): InFlightFrame<E>[] {
    const cancelled: InFlightFrame<E>[] = []
    for (const frame of this.frames) {
      if (frame.from !== endpoint && frame.to !== endpoint) continue
      this.clock.clearTimeout(frame.timer)
      this.frames.delete(frame)
      cancelled.push(frame)
    }
    return cancelled
  }
}
