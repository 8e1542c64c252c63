import { SystemId } from '../systems/SystemId.js'
import { bytesExcess, bytesExcessText } from './bytesExcess.js'
import { TARGETS, type Headline } from './headline.js'
import { fmt } from './markdownTable.js'
import type { MetricRecord } from './metricRecords.js'
import type { StudyRun } from './StudyRun.js'

/**
 * The report's closing section: each target, whether it was met, and what in sship's design
 * explains the number. The explanations are the study's reading of its own measurements.
 */
export function misses(h: Headline, records: readonly MetricRecord[], runs: readonly StudyRun[]): string[] {
  const out: string[] = []
  const status = (ok: boolean | null | undefined): string => (ok === null || ok === undefined ? 'not measured' : ok ? 'met' : '**missed**')
  out.push(`- **Failover p50 ≤ ${TARGETS.failoverP50Ms} ms, p99 ≤ ${TARGETS.failoverP99Ms} ms at n = 20**: ${status(h.targetsMet.failoverP50)} / ${status(h.targetsMet.failoverP99)} ` +
    `(${fmt(h.failoverP50Ms)} / ${fmt(h.failoverP99Ms)} ms over ${h.failoverSamples} silent crashes in simulation). A silent crash is noticed only when ` +
    'heartbeats stop (suspicion after 250 ms without one, 100 ms heartbeat period), then the first successor catches up (≤ 60 ms) and claims; the ' +
    'simulation has no CPU cost, so real devices add their scheduling delays. On real processes a SIGKILL is noticed at once, because the OS closes ' +
    `the sockets (p50 ${fmt(h.realFailoverSigkillP50Ms)} ms); a SIGSTOP (frozen, silent) behaves like the simulated crash (p50 ${fmt(h.realFailoverSigstopP50Ms)} ms).`)
  out.push(`- **Bytes per operation ≤ ${TARGETS.bytesPerOpRatioVsClientServer}× client-server**: ${status(h.targetsMet.bytesPerOp)} ` +
    `(${fmt(h.bytesPerOpRatioVsClientServer, 3)} in simulation at n = 20, 1 KiB; ${fmt(h.realBytesPerOpRatioVsClientServer, 3)} on real processes at n = ${h.realN ?? '—'}). ` +
    'sship sends each update from its writer to the n − 1 other peers; y-websocket sends it to the server, which relays it to all n clients, the writer included, ' +
    'so the payload crosses the wire n + 1 times instead of n − 1. sship adds liveness traffic (heartbeats, acks, digests), which this rate of operations amortises; ' +
    'at lower rates the ratio grows by roughly (idle bytes/s ÷ operations/s) ÷ client-server bytes per operation.')
  const over = bytesExcess(records, runs)
  if (over.length > 0) {
    out.push(`- **Bytes per operation above ${TARGETS.bytesPerOpRatioVsClientServer}× client-server elsewhere in the grid**: ${bytesExcessText(over)}. ` +
      'Small payloads make the fixed cost of a dequeue and the liveness traffic a large share. A dequeue in sship is two Yjs updates sent to ' +
      'n − 1 peers: the request (`sship.requests[sender/session.seq] = { m }`) and the decision (`sship.decisions[epoch:leader:nonce#seq] = ' +
      '{ r: request id, o: [state patch assigned[entry] = consumer], y: reply }`). client-server\'s are smaller: `requests[id] = { by }`, ' +
      '`replies[id] = { entry }` and the delete of the queue\'s head. The extra bytes are what fencing and exactly-once need: the decision names ' +
      'its term (so a deposed coordinator\'s decision can be fenced), repeats the request id (so any successor knows it is decided) and carries ' +
      'the server-state patch (so a successor that takes over holds the state without asking anyone), and request ids carry a session ' +
      '(so a restarted device never reuses one); the root types are namespaced (`sship.`), and every Yjs item names its root type. ' +
      'Liveness is a fixed rate (heartbeats and acks between the coordinator and each follower, one digest per peer per second) spread over ' +
      'the operations: at 20 operations/s it adds idle bytes/s ÷ 20 per operation whatever the payload. Shrinking these (shorter keys and ' +
      'root names, a decision that does not repeat the request id) would change the document layout that coordinators and stored replicas ' +
      'share, so it is left to a versioned layout change; the measurement here is of the current protocol.')
  }
  out.push(`- **Fault-tolerance overhead ≤ ${Math.round((TARGETS.ftOverheadRatio - 1) * 100)} %**: ${status(h.targetsMet.ftOverhead)} ` +
    `(sship ÷ no-ft = ${fmt(h.ftOverheadRatio, 3)} in simulation, ${fmt(h.realFtOverheadRatio, 3)} real). Both run the same failure detector ` +
    '(the single host also heartbeats its clients); the difference is the successorship list in the document and alive views sent to eligible peers.')
  const marginal = Object.entries(h.idleMarginalBytesPerSecPerDevice)
  out.push(`- **Idle liveness linear in n**: ${status(h.targetsMet.idleLinearInN)} ` +
    `(each added device adds ${marginal.map(([span, v]) => `${fmt(v)} B/s (n ${span})`).join(', ')}; per device: ` +
    `${Object.entries(h.idleBytesPerSecPerDevice).map(([n, v]) => `${fmt(v)} B/s at n = ${n}`).join(', ')}). ` +
    'Only the coordinator heartbeats (10 per second to each follower, each acked) and each peer sends one digest per second, all of fixed size, ' +
    'so idle bytes are a + b·n; the per-device figure creeps up only because the coordinator sends to n − 1 followers, not n.')
  const slow = records.filter((r) => r.system === SystemId.Sship && /^failover\.(firstServedMs|repointMs)/.test(r.metric) && (r.p50 ?? 0) > TARGETS.failoverP99Ms)
  if (slow.length > 0) {
    out.push(`- **Slow failovers elsewhere**: ${slow.map((r) => `${r.metric} p50 ${fmt(r.p50)} ms (${r.mode}, n = ${r.n}, ${r.count} kills)`).join('; ')}. ` +
      'On real processes all n devices share this machine\'s two cores: after a kill every survivor re-syncs and re-ranks at once, heartbeats ' +
      'and acks queue behind that work, and some devices suspect and re-point late. The load average recorded in each run\'s notes shows how busy the machine was.')
  }
  for (const r of records) {
    if (r.system !== SystemId.Sship || r.metric !== 'failover.outage' || !r.samples.includes(1)) continue
    out.push(`- **sship failover did not finish within the window** in ${r.samples.filter((x) => x === 1).length} of ${r.count} kills ` +
      `(${r.mode}, n = ${r.n}, ${r.payloadBytes} B). See \`pointsAt\` of those runs in results.json for who the devices followed at the end of the window, ` +
      'and the load average in their notes: on real processes every device shares two cores, and late heartbeats cause suspicions and competing claims.')
  }
  const csOutage = records.some((r) => r.system === SystemId.ClientServer && r.metric === 'failover.outage' && r.samples.includes(1))
  out.push(`- **Exactly once**: ${h.lost === 0 && h.duplicates === 0 ? 'met' : '**missed**'} (${h.lost} lost, ${h.duplicates} duplicated over every sship run). ` +
    `${csOutage ? 'Client-server and no-ft have no failover: after the kill the service is gone (outage), and requests sent meanwhile stay unanswered.' : ''}`)
  return out
}
