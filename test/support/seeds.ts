/**
 * Seed selection shared by the property tests: `SSHIP_SEED=n` replays one seed,
 * `SSHIP_SEEDS=n` runs n seeds (default given by each test), `SSHIP_SEED_BASE` shifts them.
 */
export function seeds(defaultCount: number): number[] {
  const one = process.env.SSHIP_SEED
  if (one !== undefined && one !== '') return [Number(one)]
  const count = Number(process.env.SSHIP_SEEDS ?? defaultCount)
  const base = Number(process.env.SSHIP_SEED_BASE ?? 1)
  return Array.from({ length: count }, (_, i) => base + i)
}

/** The command that replays `seed` of the test file `file`. */
export function replayCommand(file: string, seed: number): string {
  return `SSHIP_SEED=${seed} npx vitest run ${file}`
}

/** Splits `list` into batches of `size` (one test each, so a long run shows progress). */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}
