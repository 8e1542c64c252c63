import { parseArgs } from 'node:util'
import { SYSTEMS, type SystemId } from '../systems/SystemId.js'

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
  /** Only these systems (`--systems sship,no-ft`); default all. */
  readonly systems: readonly SystemId[]
  /**
   * Rebuild report.md, the charts and the headline from results.json instead of running: one
   * directory, or several separated by commas (their runs are pooled into `<first>-pooled`).
   */
  readonly rerender: readonly string[] | undefined
  /** Run the Wi-Fi study of issue 13 instead of the evaluation study (see bench/README.md, "Wi-Fi"). */
  readonly wifi: boolean
  /** `--wifi` only: these profiles (`--profiles busy,cut`). */
  readonly profiles: readonly string[] | undefined
  /** `--wifi` only: these peer counts (`--peers 5`). */
  readonly peers: readonly number[] | undefined
  /** `--wifi` only: minutes of each phase without kills. */
  readonly minutes: number | undefined
  /** `--wifi` only: coordinator kills per run. */
  readonly kills: number | undefined
  /** Run the history bench (issue 14) instead of the study: `--history [--quick] [--ops N] [--baseline results.json]`. */
  readonly history: boolean
  /** With `--history`: operations instead of 20,000 (quick) or 100,000. */
  readonly ops: number | undefined
  /** With `--history`: an earlier history results.json drawn beside this run. */
  readonly baseline: string | undefined
}

/** The usage line. */
export const USAGE = 'usage: npm run bench -- [--quick] [--seed N] [--out DIR] [--max-n N] [--min-n N] [--sim-only | --real-only] [--systems A,B] | --rerender DIR[,DIR…]\n' +
  '       npm run bench -- --wifi [--quick] [--seed N] [--out DIR] [--sim-only | --real-only] [--profiles A,B] [--peers 5,20] [--minutes M] [--kills K]\n' +
  '       npm run bench -- --history [--quick] [--ops N] [--baseline FILE]'

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
      history: { type: 'boolean', default: false },
      ops: { type: 'string' },
      baseline: { type: 'string' },
      systems: { type: 'string', default: SYSTEMS.join(',') },
      help: { type: 'boolean', default: false },
      wifi: { type: 'boolean', default: false },
      profiles: { type: 'string' },
      peers: { type: 'string' },
      minutes: { type: 'string' },
      kills: { type: 'string' }
    }
  })
  const seed = Number(values.seed)
  const maxN = Number(values['max-n'])
  const minN = Number(values['min-n'])
  if (values.help === true || !Number.isSafeInteger(seed) || seed <= 0 || !Number.isSafeInteger(maxN) || maxN < 2 ||
    !Number.isSafeInteger(minN) || minN < 2 || minN > maxN) throw new TypeError(USAGE)
  if (values['sim-only'] === true && values['real-only'] === true) throw new TypeError(USAGE)
  const systems = (values.systems ?? '').split(',').filter((x) => x !== '')
  if (systems.length === 0 || !systems.every((x): x is SystemId => (SYSTEMS as readonly string[]).includes(x))) throw new TypeError(USAGE)
  const rerender = values.rerender?.split(',').filter((x) => x !== '')
  if (rerender !== undefined && rerender.length === 0) throw new TypeError(USAGE)
  const profiles = values.profiles?.split(',').filter((x) => x !== '')
  const peers = values.peers?.split(',').filter((x) => x !== '').map(Number)
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes)
  const kills = values.kills === undefined ? undefined : Number(values.kills)
  if (peers !== undefined && (peers.length === 0 || !peers.every((p) => Number.isSafeInteger(p) && p >= 2))) throw new TypeError(USAGE)
  if (minutes !== undefined && !(minutes >= 0 && Number.isFinite(minutes))) throw new TypeError(USAGE)
  if (kills !== undefined && !(Number.isSafeInteger(kills) && kills >= 0)) throw new TypeError(USAGE)
  const wifi = values.wifi === true
  if (!wifi && (profiles !== undefined || peers !== undefined || minutes !== undefined || kills !== undefined)) throw new TypeError(USAGE)
  const ops = values.ops === undefined ? undefined : Number(values.ops)
  if (ops !== undefined && (!Number.isSafeInteger(ops) || ops < 10)) throw new TypeError(USAGE)
  return {
    quick: values.quick === true, out: values.out, seed, simOnly: values['sim-only'] === true, realOnly: values['real-only'] === true, maxN, minN, systems, rerender,
    wifi, profiles, peers, minutes, kills, history: values.history === true, ops, baseline: values.baseline
  }
}
