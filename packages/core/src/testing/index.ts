/**
 * Test doubles and acceptance suites for sship, published as `@sship/core/testing`.
 *
 * - {@link VirtualClock}: a manually advanced {@link Clock} for deterministic timers.
 * - {@link MemoryNetwork} / {@link MemoryTransport}: a seeded, in-memory network with latency,
 *   loss, duplication, reordering, partitions, crashes, counters and a delivery trace.
 * - {@link Cluster} / {@link checkCluster}: a whole simulated app and the judge of its properties.
 *
 * No test-runner dependency: the transport acceptance suite is `@sship/core/transport-suite`.
 *
 * @packageDocumentation
 */

export { VirtualClock } from './VirtualClock.js'
export { MemoryNetwork, type MemoryNetworkOptions } from './MemoryNetwork.js'
export { MemoryTransport, MemoryTransportState } from './MemoryTransport.js'
export { defaultNetworkFaults, type LatencyRange, type NetworkFaults } from './NetworkFaults.js'
export type { LinkKey, LinkStats, NetworkStats } from './NetworkStats.js'
export type { TraceEntry } from './TraceEntry.js'
export { fnv1a32 } from '../sync/fnv1a32.js'
export { compareAll, ConvergenceError, type CompareOptions } from './compareAll.js'
export { Cluster, tokenCounter, type ClusterOptions, type Member, type SentRequest } from './Cluster.js'
export { StallGate } from './StallGate.js'
export { SimulatedKeyring } from './SimulatedKeyring.js'
export { checkCluster, tally, type ClusterTally } from './checkCluster.js'
