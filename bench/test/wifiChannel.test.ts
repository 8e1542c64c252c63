import { seededRandom } from '@sship/core'
import { describe, expect, it } from 'vitest'
import { channelFaults, nextBurst } from '../src/wifi/wifiChannel.js'
import { WIFI_PROFILES, wifiProfile } from '../src/wifi/WifiProfile.js'

describe('the simulated Wi-Fi channel', () => {
  it('has bursts of loss whose long-run loss is the profile\'s, latency around the profile\'s mean, and nothing for clean', () => {
    for (const p of WIFI_PROFILES.filter((x) => x.loss > 0)) {
      const random = seededRandom(11)
      let burst = false
      let loss = 0
      let bursts = 0
      const slots = 200_000
      for (let i = 0; i < slots; i++) {
        const next = nextBurst(burst, random.next())
        if (next && !burst) bursts++
        burst = next
        loss += channelFaults(p, burst).dropRate ?? 0
      }
      expect(loss / slots, p.name).toBeGreaterThan(p.loss * 0.9)
      expect(loss / slots, p.name).toBeLessThan(p.loss * 1.1)
      expect(bursts, `${p.name}: bursts happen`).toBeGreaterThan(1000)
      const f = channelFaults(p, false)
      expect(((f.latencyMs?.min ?? 0) + (f.latencyMs?.max ?? 0)) / 2, p.name).toBeCloseTo(p.delayMs, -1)
      expect(f.reorderRate, `${p.name}: a long tail`).toBeGreaterThan(0)
    }
    expect(channelFaults(wifiProfile('clean'), true)).toEqual({ latencyMs: { min: 1, max: 5 }, dropRate: 0, reorderRate: 0 })
  })
})
