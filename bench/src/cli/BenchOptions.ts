import { parseArgs } from 'node:util'

/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  /** The short study (a subset; under 3 minutes on 2 cores). */
  readonly quick: boolean
  /** Where `<timestamp>/` goes. Default `bench-results` at the repository root. */
  readonly out: string | undefined
  /** Base seed of every workload and network. */
  readonly seed: number
  /** Skip the real-process part. */
  readonly simOnly: boolean
  /** Skip the simulation part (the headline then lacks its simulated numbers). */
  readonly realOnly: boolean
  /** Leave out every run with more devices than this. */
  readonly maxN: number
  /** Leave out every run with fewer devices than this (`--sim-only --min-n 100`: the large sweep alone). */
  readonly minN: number
  /** Rebuild report.md, the charts and the headline of an earlier run's directory from its results.json. */
  readonly rerender: string | undefined
}

/** The usage line. */
export const USAGE = 'usage: npm run bench -- [--quick] [--seed N] [--out DIR] [--max-n N] [--min-n N] [--sim-only | --real-only] | --rerender DIR'

/** Parses `argv` (without node and the script); throws a TypeError with {@link USAGE} on bad input. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'sim-only': { type: 'boolean', default: false },
      'real-only': { type: 'boolean', default: false },
      'max-n': { type: 'string', default: '1000' },
      'min-n': { type: 'string', default: '2' },
      rerender: { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  })
  const seed = Number(values.seed)
  const maxN = Number(values['max-n'])
  const minN = Number(values['min-n'])
  if (values.help === true || !Number.isSafeInteger(seed) || seed <= 0 || !Number.isSafeInteger(maxN) || maxN < 2 ||
    !Number.isSafeInteger(minN) || minN < 2 || minN > maxN) throw new TypeError(USAGE)
  if (values['sim-only'] === true && values['real-only'] === true) throw new TypeError(USAGE)
  return { quick: values.quick === true, out: values.out, seed, simOnly: values['sim-only'] === true, realOnly: values['real-only'] === true, maxN, minN, rerender: values.rerender }
}
