import { seededRandom } from '@sship/core/internals'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/**
 * The payload of entry `index` of a workload seeded `seed`: exactly `bytes` ASCII characters
 * (so exactly `bytes` bytes in UTF-8), random so that no layer can compress it away.
 */
export function makePayload(seed: number, index: number, bytes: number): string {
  const random = seededRandom((seed * 1_000_003 + index) >>> 0)
  let out = ''
  for (let i = 0; i < bytes; i++) out += ALPHABET[Math.floor(random.next() * ALPHABET.length)]
  return out
}
