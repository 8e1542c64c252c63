import type { Clock, TimerHandle } from '../clock/Clock.js'
import type { PeerId } from '../ids/ids.js'

/**
 * Answers a peer's sync step 1 at most once per `intervalMs`, coalescing the rest.
 *
 * A step 1 asks for "everything you have that I lack": the answer can be the whole document,
 * so a peer that sends step 1 in a loop makes us encode and send the document in a loop. The
 * first request of a quiet peer is answered at once; requests within `intervalMs` of the last
 * answer are not answered one by one: the latest one is kept and answered once the interval is
 * over. An honest peer asks once per join or per anti-entropy round and never notices.
 * State is one entry per peer with a pending answer or a recent one; {@link forget} drops it.
 */
export class SyncAnswerLimiter {
  private readonly lastAnswer = new Map<PeerId, number>()
  private readonly pending = new Map<PeerId, { body: Uint8Array; timer: TimerHandle }>()
  /** Requests that were coalesced into a later answer (not answered one by one). */
  coalesced = 0

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly answer: (peer: PeerId, stateVector: Uint8Array) => void
  ) {}

  /** `peer` sent a sync step 1 with `stateVector`: answer now, or once its interval is over. */
  request(peer: PeerId, stateVector: Uint8Array): void {
    const now = this.clock.now()
    const last = this.lastAnswer.get(peer)
    const queued = this.pending.get(peer)
    if (queued !== undefined) {
      this.coalesced++
      queued.body = stateVector
      return
    }
    if (last === undefined || now - last >= this.intervalMs) {
      this.fire(peer, stateVector, now)
      return
    }
    const timer = this.clock.setTimeout(() => {
      const p = this.pending.get(peer)
      this.pending.delete(peer)
      if (p !== undefined) this.fire(peer, p.body, this.clock.now())
    }, last + this.intervalMs - now)
    this.pending.set(peer, { body: stateVector, timer })
  }

  /** `peer` left: drop its pending answer and its history. */
  forget(peer: PeerId): void {
    const p = this.pending.get(peer)
    if (p !== undefined) this.clock.clearTimeout(p.timer)
    this.pending.delete(peer)
    this.lastAnswer.delete(peer)
  }

  /** Cancels every pending answer. */
  destroy(): void {
    for (const peer of [...this.pending.keys()]) this.forget(peer)
    this.lastAnswer.clear()
  }

  private fire(peer: PeerId, stateVector: Uint8Array, now: number): void {
    this.lastAnswer.set(peer, now)
    // Entries of quiet peers are dropped lazily so the map stays as small as the set of active askers.
    if (this.lastAnswer.size > 64) for (const [p, at] of this.lastAnswer) if (now - at >= this.intervalMs) this.lastAnswer.delete(p)
    this.lastAnswer.set(peer, now)
    this.answer(peer, stateVector)
  }
}
