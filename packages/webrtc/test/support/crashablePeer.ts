/**
 * A sship server peer in a child process, so a test can crash it for real (SIGKILL: no goodbye,
 * no SCTP abort). Usage: `node --import tsx crashablePeer.ts <peerId> <app> <signalingUrl>`.
 * Prints one JSON line per coordinator snapshot change; exits when stdin closes or after 60 s.
 */
import { initServer } from '@sship/core'
import { nodeTransport } from './nodePeers.js'
import { tokenCounter } from '@sship/core/testing'

const [peerId, app, url] = process.argv.slice(2)
if (peerId === undefined || app === undefined || url === undefined) throw new Error('usage: crashablePeer.ts <peerId> <app> <signalingUrl>')
const transport = nodeTransport(peerId, [url], 99, { room: app })
const server = initServer(app, { transport })
server.onReceive(tokenCounter(server))
let last = ''
const report = (): void => {
  const line = JSON.stringify({ isServer: server.isServer(), peers: [...transport.peers()].sort() })
  if (line !== last) process.stdout.write(`${(last = line)}\n`)
}
server.subscribe(report)
report()
const stop = (): void => {
  server.stop()
  process.exit(0)
}
process.stdin.on('end', stop)
process.stdin.resume()
setTimeout(stop, 60_000).unref()
