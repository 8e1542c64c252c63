import type { Clock, TimerHandle } from '../clock/Clock.js'
import type { PeerId } from '../ids/ids.js'
import type { LeaveReason, Transport, TransportEvents } from '../transport/Transport.js'
import type { VirtualClock } from './VirtualClock.js'

interface GatedTimer {
  cancelled: boolean
  inner: TimerHandle | undefined
}

/**
 * Freezes one simulated peer for a while, the way SIGSTOP, a starved CPU or a backgrounded
 * browser tab does: nothing of the peer runs meanwhile; its timers and incoming frames queue up
 * and run all at once when it wakes — expired timers first, then the frames, as an event loop
 * runs its timers before it polls the network. Everyone else keeps running on the shared
 * {@link VirtualClock}. Give the peer {@link StallGate.clock} and {@link StallGate.wrap}'s transport.
 */
export class StallGate {
  private until = -Infinity
  private readonly timers: Array<{ timer: GatedTimer; run: () => void }> = []
  private readonly frames: Array<() => void> = []

  constructor(private readonly shared: VirtualClock) {}

  /** True while the peer is frozen. */
  get stalled(): boolean {
    return this.shared.now() < this.until
  }

  /** Freezes the peer for `ms` from now (extends a stall under way). */
  stall(ms: number): void {
    const until = this.shared.now() + ms
    if (until <= this.until) return
    this.until = until
    this.shared.setTimeoutAt(() => {
      if (this.shared.now() >= this.until) this.wake()
    }, until)
  }

  /** The peer's clock: the shared time, with timers that wait while the peer is frozen. */
  readonly clock: Clock = {
    now: () => this.shared.now(),
    setTimeout: (callback, ms) => {
      const timer: GatedTimer = { cancelled: false, inner: undefined }
      timer.inner = this.shared.setTimeout(() => {
        if (timer.cancelled) return
        if (this.stalled) this.timers.push({ timer, run: callback })
        else callback()
      }, ms)
      return timer
    },
    clearTimeout: (handle) => {
      const timer = handle as GatedTimer
      if (typeof timer !== 'object' || timer === null || !('cancelled' in timer)) return
      timer.cancelled = true
      if (timer.inner !== undefined) this.shared.clearTimeout(timer.inner)
    }
  }

  /** `transport` with its incoming events held while the peer is frozen. */
  wrap(transport: Transport): Transport {
    const gate = (fn: () => void): void => {
      if (this.stalled) this.frames.push(fn)
      else fn()
    }
    return {
      localPeer: transport.localPeer,
      connect: (events: TransportEvents) => transport.connect({
        peerJoined: (p: PeerId) => gate(() => events.peerJoined(p)),
        peerLeft: (p: PeerId, reason?: LeaveReason) => gate(() => events.peerLeft(p, reason)),
        frame: (from: PeerId, data: Uint8Array) => gate(() => events.frame(from, data))
      }),
      send: (to, data) => transport.send(to, data),
      peers: () => transport.peers(),
      close: () => transport.close(),
      closesOnCrash: transport.closesOnCrash === true
    }
  }

  private wake(): void {
    for (const { timer, run } of this.timers.splice(0)) if (!timer.cancelled) run()
    for (const fn of this.frames.splice(0)) fn()
  }
}
