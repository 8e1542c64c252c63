import { judgeSuite } from './suite.js'

judgeSuite('availability-no-partitions', 'test/judge/availability-no-partitions.test.ts')
