/**
 * The acceptance suite every sship `Transport` must pass, published as
 * `@sship/core/transport-suite`. It registers vitest tests, so it lives apart from
 * `@sship/core/testing`, which has no test-runner dependency (child processes load that one).
 *
 * @packageDocumentation
 */

export { runTransportTests, type TransportTestContext } from './runTransportTests.js'
