import type { Clock, TimerHandle } from '../clock/Clock.js'

interface Timer {
  readonly id: number
  readonly at: number
  /** Insertion order: breaks ties between timers due at the same instant. */
  readonly seq: number
  readonly callback: () => void
}

/** Cancelled timers stay in the heap until popped; rebuild once they are the majority. */
const COMPACT_THRESHOLD = 1024

/**
 * A {@link Clock} under manual control: time stands still until a test calls
 * {@link VirtualClock.advance} or {@link VirtualClock.runNext}. Timers fire in order of due
 * time, ties in the order they were scheduled, so a run is fully deterministic.
 *
 * Timers live in a binary min-heap, so scheduling and firing cost O(log n) each; cancelling is
 * O(1) (the heap entry is skipped when it surfaces).
 *
 * If a timer's callback throws, the timer is already removed and `now()` already shows its due
 * time when the error propagates out of `advance`/`runNext`; the clock stays consistent and the
 * remaining timers stay scheduled, so a test can catch the error and keep advancing.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock()
 * clock.setTimeout(() => console.log('tick'), 100)
 * clock.advance(100) // logs "tick"; clock.now() === 100
 * ```
 */
export class VirtualClock implements Clock {
  private time: number
  private nextId = 1
  private nextSeq = 0
  private readonly heap: Timer[] = []
  /** Timers that are scheduled and not cancelled, by id. */
  private readonly live = new Map<number, Timer>()

  /** @param start - the initial value of {@link VirtualClock.now} (default 0). */
  constructor(start = 0) {
    this.time = start
  }

  /** The current virtual time in milliseconds. */
  now(): number {
    return this.time
  }

  /**
   * Schedules `callback` at `now() + ms`. A negative or NaN `ms` counts as 0 (like the host's
   * timers); an infinite one throws a `RangeError`. The handle is a number, unique for this clock.
   */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const delay = ms > 0 ? ms : 0
    if (!Number.isFinite(delay)) throw new RangeError(`VirtualClock.setTimeout needs a finite delay, got ${ms}`)
    return this.setTimeoutAt(callback, this.time + delay)
  }

  /**
   * Schedules `callback` at the absolute time `at` (or now, if `at` is in the past). Unlike
   * `setTimeout(cb, at - now())` this is exact: no floating-point rounding can reorder two
   * timers meant for the same instant.
   */
  setTimeoutAt(callback: () => void, at: number): TimerHandle {
    if (Number.isNaN(at) || at === Infinity) throw new RangeError(`VirtualClock.setTimeoutAt needs a finite time, got ${at}`)
    const timer: Timer = { id: this.nextId++, at: Math.max(at, this.time), seq: this.nextSeq++, callback }
    this.live.set(timer.id, timer)
    this.push(timer)
    return timer.id
  }

  /** Cancels a timer. Cancelling a fired, cancelled or foreign handle does nothing. */
  clearTimeout(handle: TimerHandle): void {
    if (typeof handle !== 'number' || !this.live.delete(handle)) return
    if (this.heap.length > COMPACT_THRESHOLD && this.live.size * 2 < this.heap.length) this.compact()
  }

  /**
   * Moves time forward by `ms`, running every timer due at or before the target time in time
   * order, including timers scheduled by those callbacks if they fall due in the window.
   * Afterwards `now()` is exactly the old `now() + ms`.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance needs ms >= 0, got ${ms}`)
    const target = this.time + ms
    for (;;) {
      const next = this.peek()
      if (next === undefined || next.at > target) break
      this.fire(next)
    }
    this.time = target
  }

  /**
   * Jumps to the next scheduled timer and runs it (only that one). Returns `false`, leaving time
   * unchanged, if no timer is scheduled.
   */
  runNext(): boolean {
    const next = this.peek()
    if (next === undefined) return false
    this.fire(next)
    return true
  }

  /** How many timers are scheduled and not yet fired or cancelled. */
  pendingTimers(): number {
    return this.live.size
  }

  /** When the next timer is due, or `undefined` if none is scheduled. */
  nextTimerAt(): number | undefined {
    return this.peek()?.at
  }

  /** Removes `timer` (the heap's top), sets the time to its due time and runs it. */
  private fire(timer: Timer): void {
    this.pop()
    this.live.delete(timer.id)
    if (timer.at > this.time) this.time = timer.at
    timer.callback()
  }

  /** The earliest live timer, discarding cancelled entries from the top of the heap. */
  private peek(): Timer | undefined {
    for (;;) {
      const top = this.heap[0]
      if (top === undefined || this.live.has(top.id)) return top
      this.pop()
    }
  }

  private compact(): void {
    const kept = this.heap.filter((t) => this.live.has(t.id))
    this.heap.length = 0
    for (const t of kept) this.heap.push(t)
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i)
  }

  private push(timer: Timer): void {
    this.heap.push(timer)
    let i = this.heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(i, parent)) break
      this.swap(i, parent)
      i = parent
    }
  }

  private pop(): void {
    const last = this.heap.pop()
    if (last === undefined || this.heap.length === 0) return
    this.heap[0] = last
    this.siftDown(0)
  }

  private siftDown(start: number): void {
    const n = this.heap.length
    let i = start
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < n && this.less(left, smallest)) smallest = left
      if (right < n && this.less(right, smallest)) smallest = right
      if (smallest === i) return
      this.swap(i, smallest)
      i = smallest
    }
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i] as Timer
    const b = this.heap[j] as Timer
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i] as Timer
    this.heap[i] = this.heap[j] as Timer
    this.heap[j] = a
  }
}
