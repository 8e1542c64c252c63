/**
 * The demo host (`startWebHost` with the queue's server code: HTTP, the `/sship` hub, signaling and the LAN) for
 * `npm run test:hostile`, run inside a lab namespace. Usage: `hostProcess.ts <address> <port>
 * <signalingPort> <dist>`. Prints `{"type":"ready",...}` once serving; errors and refusals go
 * through RepeatedErrors as the real host's do (printed always, so the harness can count lines).
 * Quits when stdin closes.
 */
import { formatErrorLine, RepeatedErrors } from '@sship/lan'
import { startWebHost } from '@sship/web/host'
import { QUEUE_APP, QUEUE_CODE_VERSION, QUEUE_TIMING, queueServer } from '../src/server/queueServer.js'

const [address, port, signalingPort, dist] = process.argv.slice(2)
const refusals = new RepeatedErrors({ emit: (l) => console.log(`[refused] ${formatErrorLine(l)}`) })
const errors = new RepeatedErrors({ emit: (l) => console.error(`[error] ${formatErrorLine(l)}`) })
const host = await startWebHost({
  app: QUEUE_APP, version: QUEUE_CODE_VERSION, timing: QUEUE_TIMING, serverCode: queueServer,
  interface: address, lan: false, port: Number(port), signalingPort: Number(signalingPort), id: 'demo-host',
  mdns: true, mdnsPort: 5353, holdDownMs: 3000, dist: dist ?? '.',
  onError: (e: Error) => errors.report('host', e.message),
  onRefused: (code: string, peer: string | undefined, message: string) => refusals.report(peer ?? 'unknown peer', `${code}: ${message}`)
})
process.stdout.write(`${JSON.stringify({ type: 'ready', url: host.url, signaling: host.endpoint.signaling })}\n`)
process.stdin.on('end', () => void host.close().then(() => process.exit(0)))
process.stdin.resume()
