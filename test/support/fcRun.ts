/**
 * Seeded, replayable fast-check runs for the property tests, and a tally of cases by outcome.
 *
 * - `SSHIP_FC_SEED=n` sets the seed of every property (default {@link DEFAULT_FC_SEED}, fixed so a
 *   plain `npx vitest run` is deterministic).
 * - `SSHIP_FC_RUNS=n` overrides every property's number of runs (default: each property's own).
 * - `SSHIP_FC_PATH=p` replays one counterexample (with its seed): fast-check's `path`.
 *   (see test/hostile.property.test.ts); carried into the replay command when set.
 *
 * On failure the error carries fast-check's report and the exact command replaying the shrunk
 * counterexample of that one property.
 */
import fc from 'fast-check'

/** The seed used when `SSHIP_FC_SEED` is not set. */
export const DEFAULT_FC_SEED = 20_240_611

const envInt = (name: string): number | undefined => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${raw}`)
  return n
}

/** The seed of this run. */
export const fcSeed = (): number => envInt('SSHIP_FC_SEED') ?? DEFAULT_FC_SEED

/** The number of runs of a property whose default is `defaultRuns`. */
export const fcRuns = (defaultRuns: number): number => envInt('SSHIP_FC_RUNS') ?? defaultRuns

/** Environment switches of the hostile tests, carried into replay commands. */
const REPLAYED_SWITCHES = ['SSHIP_FC_RUNS'] as const

/** Single-quotes `s` for a POSIX shell. */
const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/** Escapes `s` for vitest's `-t`, which takes a regular expression. */
const regexQuote = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The command that replays the counterexample at `path` of `seed` for the test named `testName` in `file`. */
export function fcReplayCommand(file: string, testName: string, seed: number, path: string | undefined): string {
  // Switches that change what a property generates or checks must be replayed too.
  const switches = REPLAYED_SWITCHES.filter((k) => (process.env[k] ?? '') !== '').map((k) => `${k}=${process.env[k] ?? ''}`)
  const env = [...switches, `SSHIP_FC_SEED=${seed}`, ...(path === undefined ? [] : [`SSHIP_FC_PATH=${path}`])]
  return `${env.join(' ')} npx vitest run ${file} -t ${shellQuote(`^${regexQuote(testName)}$`)}`
}

/**
 * `fc.assert` parameters: seed and runs from the environment, `path` when replaying, and a
 * reporter that throws fast-check's own report followed by the replay command for `testName`.
 * `testName` must be the full vitest name (describe blocks and test, space-separated).
 */
export function fcParams<Ts>(file: string, testName: string, defaultRuns: number): fc.Parameters<Ts> {
  const seed = fcSeed()
  const path = process.env.SSHIP_FC_PATH
  return {
    seed,
    numRuns: fcRuns(defaultRuns),
    ...(path !== undefined && path !== '' ? { path, endOnFailure: true } : {}),
    reporter(details) {
      if (!details.failed) return
      const replay = fcReplayCommand(file, testName, details.seed, details.counterexamplePath ?? undefined)
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
      throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\nGot error: ${cause}\n\nreplay: ${replay}\n`, { cause: details.errorInstance })
    }
  }
}

/** Counts cases by a two-level key: what was generated, then what happened to it. */
export class Tally {
  private readonly counts = new Map<string, Map<string, number>>()
  total = 0

  add(kind: string, outcome: string): void {
    let row = this.counts.get(kind)
    if (row === undefined) this.counts.set(kind, (row = new Map()))
    row.set(outcome, (row.get(outcome) ?? 0) + 1)
    this.total++
  }

  /** Count of `outcome` over every kind. */
  outcome(outcome: string): number {
    let n = 0
    for (const row of this.counts.values()) n += row.get(outcome) ?? 0
    return n
  }

  /** Every outcome seen. */
  outcomes(): Set<string> {
    const out = new Set<string>()
    for (const row of this.counts.values()) for (const k of row.keys()) out.add(k)
    return out
  }

  /** Count of cases of `kind`. */
  kind(kind: string): number {
    let n = 0
    for (const c of this.counts.get(kind)?.values() ?? []) n += c
    return n
  }

  /** One line per kind, sorted: `kind: total {outcome: count, …}`. */
  format(title: string): string {
    const lines = [...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, row]) => {
      const parts = [...row.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([o, c]) => `${o}=${c}`)
      return `  ${kind.padEnd(28)} ${String(this.kind(kind)).padStart(6)}  ${parts.join(' ')}`
    })
    const byOutcome = [...this.outcomes()].sort().map((o) => `${o}=${this.outcome(o)}`).join(' ')
    return `${title}: ${this.total} cases (${byOutcome})\n${lines.join('\n')}`
  }
}
