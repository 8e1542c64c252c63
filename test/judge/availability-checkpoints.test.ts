import { judgeSuite } from './suite.js'

// Checkpoints every 3 decisions: folds from checkpoints, compaction and replies kept for senders
// that were away, interleaved with every fault of the availability schedules.
judgeSuite('availability', 'test/judge/availability-checkpoints.test.ts', 3)
