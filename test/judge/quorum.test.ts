import { judgeSuite } from './suite.js'

judgeSuite('quorum', 'test/judge/quorum.test.ts')
