import { describe, expect, it } from 'vitest'
import { chunks, seeds } from '../support/seeds.js'
import { runSchedule, type JudgeMode, type ScheduleSize } from './schedule.js'

/**
 * The independent judge's property suite for one mode (issue 12): seeded schedules of its own,
 * written against the public API only, judging every acknowledged reply against the final
 * history (verdict.ts). One test file per mode, so a failure names its mode and the modes run in
 * parallel. `SSHIP_SEEDS=n` runs n seeds, `SSHIP_SEED=n` replays one; the schedule's size is
 * `SSHIP_JUDGE_SERVERS` / `SSHIP_JUDGE_CLIENTS` / `SSHIP_JUDGE_CHAOS_MS` (the defaults keep 200
 * seeds per mode within CI's budget; the size is 8 / 20 / 30000).
 */
export const DEFAULT_SIZE: ScheduleSize = { servers: 5, clients: 5, chaosMs: 5000 }

const env = (name: string, fallback: number): number => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}

/** The schedule size in effect, and the env prefix that reproduces it. */
function size(): { size: ScheduleSize; prefix: string } {
  const s: ScheduleSize = {
    servers: env('SSHIP_JUDGE_SERVERS', DEFAULT_SIZE.servers),
    clients: env('SSHIP_JUDGE_CLIENTS', DEFAULT_SIZE.clients),
    chaosMs: env('SSHIP_JUDGE_CHAOS_MS', DEFAULT_SIZE.chaosMs)
  }
  const same = s.servers === DEFAULT_SIZE.servers && s.clients === DEFAULT_SIZE.clients && s.chaosMs === DEFAULT_SIZE.chaosMs
  return { size: s, prefix: same ? '' : `SSHIP_JUDGE_SERVERS=${s.servers} SSHIP_JUDGE_CLIENTS=${s.clients} SSHIP_JUDGE_CHAOS_MS=${s.chaosMs} ` }
}

/**
 * Declares the suite of `mode`, in test file `file`; 200 seeds unless `SSHIP_SEEDS` says otherwise.
 * `checkpointEvery` makes the coordinators checkpoint (and delete the history behind) that often,
 * so checkpoints interleave with every fault of the schedule.
 */
export function judgeSuite(mode: JudgeMode, file: string, checkpointEvery?: number, defaultSeeds = 200): void {
  const { size: s, prefix } = size()
  const label = checkpointEvery === undefined ? mode : `${mode}, checkpoint every ${checkpointEvery}`
  describe(`judge [${label}]: every acknowledged reply holds (or, in availability, its re-decision is reported); the state is the fold`, () => {
    for (const batch of chunks(seeds(defaultSeeds), 25)) {
      it(`[${label}] seeds ${batch[0]}..${batch.at(-1)}`, async () => {
        const failures: string[] = []
        const totals = { seeds: 0, failing: 0, failingSeeds: [] as number[], acked: 0, redecided: 0, reported: 0, corrupted: 0 }
        for (const seed of batch) {
          const { verdict: v, log } = await runSchedule(seed, mode, s, checkpointEvery)
          totals.seeds++
          totals.acked += v.acked
          totals.redecided += v.redecided
          totals.reported += v.reported
          totals.corrupted += v.corrupted
          if (v.problems.length === 0) continue
          totals.failing++
          totals.failingSeeds.push(seed)
          if (failures.length < 3) {
            failures.push(`seed ${seed} [${mode}]: acked ${v.acked}, re-decided ${v.redecided} (reported ${v.reported}), corrupted ${v.corrupted}\n  ` +
              `${v.problems.join('\n  ')}\n  replay: ${prefix}SSHIP_SEED=${seed} npx vitest run ${file}\n  last events: ${log.slice(-6).join('; ')}`)
          }
        }
        // One JSON line per batch: the counts the table reports.
        console.log(`JUDGE ${JSON.stringify({ mode, ...(checkpointEvery !== undefined ? { checkpointEvery } : {}), ...s, first: batch[0], last: batch.at(-1), ...totals })}`)
        expect(failures, `${totals.failing} of ${totals.seeds} seeds failed (${totals.failingSeeds.join(', ')})\n${failures.join('\n')}`).toEqual([])
        expect(totals.acked, 'the schedules must acknowledge requests, or they judge nothing').toBeGreaterThan(batch.length * 5)
      }, 900_000)
    }
  })
}
