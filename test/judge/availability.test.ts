import { judgeSuite } from './suite.js'

judgeSuite('availability', 'test/judge/availability.test.ts')
