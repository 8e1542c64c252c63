/**
 * A stock y-webrtc peer in a child process (y-webrtc keeps one room per name per process, and a
 * BroadcastChannel would connect two providers of one process without WebRTC).
 * Usage: `node --import tsx yWebrtcPeer.ts <room> <signalingUrl> [password]`. Sets `child: 'hello'`
 * in the map `m`, prints the map's keys as JSON lines whenever they change, and the ids of its
 * WebRTC peers (`{ peers }`) whenever y-webrtc reports them; exits when stdin closes.
 */
import { stockProvider } from './yWebrtcProvider.js'

const [room, url, password] = process.argv.slice(2)
if (room === undefined || url === undefined) throw new Error('usage: yWebrtcPeer.ts <room> <signalingUrl> [password]')
const { doc, provider, destroy } = stockProvider(room, url, password)
provider.on('peers', (event: { webrtcPeers: string[] }) => {
  process.stdout.write(`${JSON.stringify({ peers: [...event.webrtcPeers].sort() })}\n`)
})
const map = doc.getMap<string>('m')
const report = (): void => {
  process.stdout.write(`${JSON.stringify({ keys: [...map.keys()].sort() })}\n`)
}
map.observe(report)
map.set('child', 'hello')
const stop = async (): Promise<void> => {
  await destroy()
  process.exit(0)
}
process.stdin.on('end', () => void stop())
process.stdin.resume()
setTimeout(() => void stop(), 60_000).unref()
