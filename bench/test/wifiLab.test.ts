import { spawn } from 'node:child_process'
import { afterAll, expect, it } from 'vitest'
import { removeStaleWifiNamespaces, WifiLab } from '../src/wifi/WifiLab.js'

/**
 * The impairing switch on its real path: TAPs in network namespaces (needs root, iproute2 and
 * python3, like `npm run test:lan`; it fails, not skips, without them). Multicast reaches every
 * other host, unicast TCP works through it, a delay shows in the round trip, and a cut host hears
 * nothing. Bounds are generous: no timing tighter than the delay itself is asserted.
 */
let lab: WifiLab | undefined
afterAll(async () => lab?.destroy())

/** Runs a short node script inside `ns`; resolves with its stdout. */
function inNs(ns: string, script: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))))
  })
}

/** Listens on the multicast group for `ms` and prints how many datagrams arrived. */
const listen = (on: string, ms: number): string => `
const s = require('dgram').createSocket({ type: 'udp4', reuseAddr: true }); let n = 0
s.on('message', () => n++)
s.bind(5399, () => { s.addMembership('239.1.2.3', '${on}'); setTimeout(() => { console.log(n); process.exit(0) }, ${ms}) })`
/** Sends `count` datagrams to the group, one per 50 ms, from the host's only address. */
const send = (from: string, count: number): string => `
const s = require('dgram').createSocket('udp4'); let i = 0
s.bind(0, '${from}', () => { s.setMulticastInterface('${from}'); const t = setInterval(() => { s.send('x', 5399, '239.1.2.3'); if (++i === ${count}) { clearInterval(t); setTimeout(() => process.exit(0), 300) } }, 50) })`

it('forwards multicast to every other host and TCP between two, delays frames, and silences a cut host', async () => {
  await removeStaleWifiNamespaces()
  lab = await WifiLab.create(3, 1, 120)
  const [a, b, c] = lab.hosts as [{ ns: string; address: string }, { ns: string; address: string }, { ns: string; address: string }]

  // Multicast from a reaches b and c.
  const heard = Promise.all([inNs(b.ns, listen(b.address, 4000)), inNs(c.ns, listen(c.address, 4000))])
  await new Promise((resolve) => setTimeout(resolve, 1000))
  await inNs(a.ns, send(a.address, 20))
  const [atB, atC] = (await heard).map((s) => Number(s.trim()))
  expect(atB, 'datagrams at b').toBeGreaterThanOrEqual(15)
  expect(atC, 'datagrams at c').toBeGreaterThanOrEqual(15)

  // TCP from a to b, first clean, then with 150 ms on every host's egress: the round trip grows by about 300 ms.
  const rtt = `
const s = require('net').connect(7777, '${b.address}', () => { const t = performance.now(); s.write('x'); s.once('data', () => { console.log(Math.round(performance.now() - t)); process.exit(0) }) })`
  const server = spawn('ip', ['netns', 'exec', b.ns, process.execPath, '-e', `require('net').createServer((s) => s.pipe(s)).listen(7777, '${b.address}'); setTimeout(() => process.exit(0), 60000)`], { stdio: 'ignore' })
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const clean = Number((await inNs(a.ns, rtt)).trim())
    await lab.impair({ delayMs: 150, jitterMs: 0, loss: 0 })
    const delayed = Number((await inNs(a.ns, rtt)).trim())
    expect(delayed, `round trip clean ${clean} ms, delayed ${delayed} ms`).toBeGreaterThanOrEqual(300)
  } finally {
    server.kill('SIGKILL')
  }
  await lab.impair({ delayMs: 0, jitterMs: 0, loss: 0 })

  // c is cut: it hears none of a's datagrams while b still does.
  await lab.cut(2)
  const during = Promise.all([inNs(b.ns, listen(b.address, 3000)), inNs(c.ns, listen(c.address, 3000))])
  await new Promise((resolve) => setTimeout(resolve, 1000))
  await inNs(a.ns, send(a.address, 10))
  const [cutB, cutC] = (await during).map((s) => Number(s.trim()))
  expect(cutB).toBeGreaterThanOrEqual(7)
  expect(cutC, 'a cut host hears nothing').toBe(0)
  const stats = await lab.stats()
  expect(stats.cutDropped).toBeGreaterThanOrEqual(10)
}, 120_000)
