import { judgeSuite } from './suite.js'

// Checkpoints every 3 decisions in quorum mode, with a minority restarting from the old or an
// empty document: a checkpoint is deleted behind only once a majority holds it.
judgeSuite('quorum-restarts', 'test/judge/quorum-restarts-checkpoints.test.ts', 3)
