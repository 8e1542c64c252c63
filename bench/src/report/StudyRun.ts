import type { RunResult } from '../measure/RunResult.js'

/**
 * A run of the study and why it was made: `study` runs measure everything; `failover-trial`
 * runs are short extra runs whose only purpose is more samples of the failover times.
 */
export interface StudyRun {
  readonly purpose: 'study' | 'failover-trial'
  readonly result: RunResult
}
