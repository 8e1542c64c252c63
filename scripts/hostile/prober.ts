/**
 * An honest client of the demo host for `npm run test:hostile`, run inside a lab namespace: every
 * 200 ms it GETs the host's `/config.json` and pings its signaling server, and prints one JSON
 * line per successful probe (`{"what","at"}`, `at` in ms since the epoch) so the harness can
 * measure the longest gap. Usage: `prober.ts <http host:port> <signaling host:port>`. Quits
 * when stdin closes.
 */
import { get } from 'node:http'
import { WebSocket } from 'ws'

const [http, signaling] = process.argv.slice(2)
const say = (what: string): void => void process.stdout.write(`${JSON.stringify({ what, at: Date.now() })}\n`)

function probeHttp(): void {
  const req = get(`http://${http}/config.json`, { timeout: 2000 }, (res) => {
    res.resume()
    if (res.statusCode === 200) res.on('end', () => say('http'))
  })
  req.on('timeout', () => req.destroy())
  req.on('error', () => undefined)
}

let ws: WebSocket | undefined
function probeSignaling(): void {
  if (ws === undefined || ws.readyState === ws.CLOSED) {
    ws = new WebSocket(`ws://${signaling}`)
    ws.on('error', () => undefined)
    ws.on('message', (d) => {
      if (String(d).includes('pong')) say('signaling')
    })
    return
  }
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'ping' }))
}

const timer = setInterval(() => {
  probeHttp()
  probeSignaling()
}, 200)
process.stdin.on('end', () => {
  clearInterval(timer)
  ws?.terminate()
  process.exit(0)
})
process.stdin.resume()
