import type { NetworkFaults } from '@sship/core/testing'
import type { WifiProfile } from './WifiProfile.js'

/** One slot of the simulated Wi-Fi channel lasts this long (virtual ms). */
export const SLOT_MS = 100
/** Gilbert–Elliott burst loss: chance per slot to enter a burst, and to leave one. */
const BURST_ENTER = 0.02
const BURST_LEAVE = 0.25
/** Loss inside a burst (a neighbour's download, a microwave oven). */
const BURST_LOSS = 0.3
/** Share of frames that get the long tail: an extra delay up to about 2× the maximum (retries at the MAC layer). */
const TAIL_SHARE = 0.05
/** Chance per slot that one random peer stalls (a phone's radio dozing), and for how long. */
export const STALL_PER_SLOT = 0.002

/**
 * The in-memory network's faults for a profile in the good or the burst state of a two-state
 * (Gilbert–Elliott) channel, whose long-run loss equals the profile's. Latency is uniform over
 * the profile's mean ± jitter (plus the long tail on a share of frames), since MemoryNetwork
 * draws uniform latencies; `clean` is the network's default (1–5 ms, nothing lost).
 */
export function channelFaults(p: WifiProfile, burst: boolean): Partial<NetworkFaults> {
  if (p.loss === 0 && p.delayMs === 0) return { latencyMs: { min: 1, max: 5 }, dropRate: 0, reorderRate: 0 }
  const burstShare = BURST_ENTER / (BURST_ENTER + BURST_LEAVE)
  const goodLoss = Math.max(0, (p.loss - BURST_LOSS * burstShare) / (1 - burstShare))
  return {
    latencyMs: { min: Math.max(1, p.delayMs - p.jitterMs), max: p.delayMs + p.jitterMs },
    dropRate: burst ? BURST_LOSS : goodLoss,
    reorderRate: TAIL_SHARE
  }
}

/** The next burst state after one slot, given a uniform draw in [0, 1). */
export function nextBurst(burst: boolean, draw: number): boolean {
  return burst ? draw >= BURST_LEAVE : draw < BURST_ENTER
}
