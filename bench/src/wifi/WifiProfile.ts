/** The name of a Wi-Fi profile of issue 13. */
export type WifiProfileName = 'clean' | 'wifi' | 'busy' | 'bad' | 'cut' | 'sleepy'

/**
 * One network condition of the Wi-Fi study: every host's egress delay (normal, mean ± standard
 * deviation, clipped at 0) and independent loss, plus what happens during the phase without kills.
 */
export interface WifiProfile {
  readonly name: WifiProfileName
  readonly delayMs: number
  readonly jitterMs: number
  readonly loss: number
  /** The coordinator's link is silently cut for {@link CUT_MS}, then healed (once per {@link CUT_PERIOD_MS}). */
  readonly cut: boolean
  /** Every 20–40 s one random peer is frozen (SIGSTOP) for 200–800 ms, then resumed. */
  readonly sleepy: boolean
}

/** How long a `cut` keeps the coordinator off the network. */
export const CUT_MS = 10_000
/** One cut starts every this often in the `cut` profile's phase without kills. */
export const CUT_PERIOD_MS = 40_000
/** Freezes of the `sleepy` profile: every 20–40 s, for 200–800 ms. */
export const FREEZE_EVERY_MS: readonly [number, number] = [20_000, 40_000]
export const FREEZE_FOR_MS: readonly [number, number] = [200, 800]
/** The first freeze comes 5–20 s into the phase, so a short (quick) phase has one too. */
export const FIRST_FREEZE_MS: readonly [number, number] = [5_000, 20_000]
/**
 * Role changes this long after a heal are caused by the cut, so they are not counted as false:
 * the isolated coordinator steps down, and the initial host fails back after a hold-down of
 * uninterrupted contact (3 s, longer when links resume after TCP backoff or are re-dialed;
 * observed up to 17 s after the heal on the loaded study machine).
 */
export const EXCUSED_AFTER_MS = 20_000

const clean = { delayMs: 0, jitterMs: 0, loss: 0, cut: false, sleepy: false }

/** The six profiles, in the order the study runs them. */
export const WIFI_PROFILES: readonly WifiProfile[] = Object.freeze([
  { name: 'clean', ...clean },
  { name: 'wifi', ...clean, delayMs: 30, jitterMs: 30, loss: 0.03 },
  { name: 'busy', ...clean, delayMs: 50, jitterMs: 50, loss: 0.05 },
  { name: 'bad', ...clean, delayMs: 100, jitterMs: 100, loss: 0.1 },
  { name: 'cut', ...clean, cut: true },
  { name: 'sleepy', ...clean, sleepy: true }
])

/** The profile called `name`; throws a RangeError naming the known ones. */
export function wifiProfile(name: string): WifiProfile {
  const p = WIFI_PROFILES.find((x) => x.name === name)
  if (p === undefined) throw new RangeError(`unknown Wi-Fi profile "${name}" (${WIFI_PROFILES.map((x) => x.name).join(', ')})`)
  return p
}
