/**
 * `@sship/lan/testing`: helpers for tests and tools that run sship peers as real processes on
 * loopback: {@link CliProcess} starts `sship join` (or `status`) with `--json --control-stdin`
 * and collects its records; {@link loopbackMdns} / {@link freeUdpPort} give mDNS settings that
 * stay on 127.0.0.1 on a private port. Used by the LAN tests and by `npm run soak`.
 *
 * @packageDocumentation
 */

export { CliProcess, REPO_ROOT, type CliProcessOptions, type CliRecord, type CliStatus } from './CliProcess.js'
export { freeUdpPort, loopbackMdns, type LoopbackMdns } from './loopbackMdns.js'
