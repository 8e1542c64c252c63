import type { PeerId } from '../../ids/ids.js'
import type { TimingOptions } from '../timing.js'
import { ArrivalWindow } from './ArrivalWindow.js'

/** Gaps a link must have shown before its statistics count (until then the floor applies). */
const MIN_SAMPLES = 8

/**
 * An adaptive failure detector, phi-accrual style: per link, the silence after which the peer at
 * the other end is suspected is the mean inter-arrival gap plus `suspectSigmas` standard
 * deviations, clamped to `[suspectMs, suspectMaxMs]`. On a clean LAN gaps are regular, so the
 * floor (today's 250 ms) applies and failover stays fast; on a jittery, lossy Wi-Fi the spread of
 * the gaps (lost heartbeats included) buys patience up to the ceiling.
 *
 * `healthFactor` (see {@link LocalHealth}) stretches every timeout while this peer's own
 * event loop is late: a starved process must not trust its own sense of silence.
 */
export class FailureDetector {
  private readonly links = new Map<PeerId, ArrivalWindow>()

  /**
   * @param healthFactor Stretches every timeout while this peer is unwell (see {@link LocalHealth}).
   * @param floorMs The least timeout: `suspectMs` by default; a follower on a transport that closes
   *   a dead peer's links passes `stallMs` (silence on an open link is a pause, not a death).
   */
  constructor(
    private readonly timing: TimingOptions,
    private readonly healthFactor: () => number = () => 1,
    private readonly floorMs: number = timing.suspectMs
  ) {}

  /** A periodic message (heartbeat or ack) from `peer` arrived at `now`. */
  heard(peer: PeerId, now: number): void {
    let w = this.links.get(peer)
    if (w === undefined) {
      w = new ArrivalWindow(this.timing.suspectMaxMs)
      this.links.set(peer, w)
    }
    w.arrived(now)
  }

  /**
   * `peer`'s heartbeats start a new stream (it leads a new term): the silence before the first
   * one (a handoff, an election) is no sample of its link's jitter. The samples learned stay.
   */
  restart(peer: PeerId): void {
    this.links.get(peer)?.restart()
  }

  /** Forgets `peer` (it left). */
  forget(peer: PeerId): void {
    this.links.delete(peer)
  }

  /** The link's own timeout, before local health: mean + sigmas * deviation, clamped (`floorMs` overrides the detector's floor). */
  linkTimeout(peer: PeerId, floorMs = this.floorMs): number {
    const { suspectMaxMs, suspectSigmas, heartbeatMs } = this.timing
    const floor = Math.min(floorMs, suspectMaxMs)
    const w = this.links.get(peer)
    const mean = w?.mean()
    if (w === undefined || mean === undefined || w.size < MIN_SAMPLES) return floor
    // A floor on the deviation: perfectly regular gaps must not make one late frame fatal.
    const spread = Math.max(w.deviation(), heartbeatMs / 10)
    return clamp(mean + suspectSigmas * spread, floor, suspectMaxMs)
  }

  /** The silence after which `peer` is suspected now: the link's timeout times local health, clamped (`floorMs` as in {@link FailureDetector.linkTimeout}). */
  timeout(peer: PeerId, floorMs = this.floorMs): number {
    const floor = Math.min(floorMs, this.timing.suspectMaxMs)
    return clamp(this.linkTimeout(peer, floor) * this.healthFactor(), floor, this.timing.suspectMaxMs)
  }

  /** Standard deviation of `peer`'s gaps (0 when unknown): how much its one-way delay varies. */
  jitter(peer: PeerId): number {
    return this.links.get(peer)?.deviation() ?? 0
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}
