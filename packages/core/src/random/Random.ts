import * as prng from 'lib0/prng'

/** A source of uniformly distributed numbers in `[0, 1)`. Injected so runs replay by seed. */
export interface Random {
  next(): number
}

/** A seeded, deterministic {@link Random} (lib0's xoroshiro128+). */
export function seededRandom(seed: number): Random {
  // lib0 seeds xorshift32 directly, which is stuck at 0 for seed 0: mix the seed first (splitmix32).
  let z = (seed + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  z = (z ^ (z >>> 16)) >>> 0
  return prng.create(z === 0 ? 1 : z)
}

/** A {@link Random} backed by WebCrypto's `getRandomValues`, for production use. */
export const cryptoRandom: Random = {
  next: () => {
    const buf = new Uint32Array(1)
    globalThis.crypto.getRandomValues(buf)
    return (buf[0] ?? 0) / 0x1_0000_0000
  }
}

/** A uniformly random integer in `[0, 2^32)`. */
export function randomUint32(random: Random): number {
  return Math.floor(random.next() * 0x1_0000_0000) >>> 0
}

/** A random lower-case hex string of `bytes` bytes (so `2 * bytes` characters). */
export function randomHex(random: Random, bytes: number): string {
  let out = ''
  for (let i = 0; i < bytes; i++) out += Math.floor(random.next() * 256).toString(16).padStart(2, '0')
  return out
}
