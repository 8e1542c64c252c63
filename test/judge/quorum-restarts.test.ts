import { judgeSuite } from './suite.js'

judgeSuite('quorum-restarts', 'test/judge/quorum-restarts.test.ts')
