import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { CoordinatorSnapshot } from '@sship/core'
import { explainError, formatErrorLine, RepeatedErrors } from '@sship/lan'
import qrcode from 'qrcode-terminal'
import { displayName, peerLabels, roomFragment } from '@sship/web'
import { hostUsage, loadRoomSecret, parseHostArgs, startWebHost, type HostArgs, type RoomSecret, type WebHost } from '@sship/web/host'
import { QUEUE_APP, QUEUE_CODE_VERSION, QUEUE_TIMING, queueServer } from '../src/server/queueServer.js'
import { pinCheck, QUEUE_FLAGS, takeQueueArgs, type QueueArgs } from './queueArgs.js'

/**
 * `npm start` at the repository root: the queue's Node host. Prints the page's URL (and a QR
 * code for phones), then one line per change of who serves; Ctrl-C leaves cleanly.
 */
async function main(argv: readonly string[]): Promise<number> {
  let args: HostArgs
  let queue: QueueArgs
  try {
    queue = takeQueueArgs(argv)
    args = parseHostArgs(queue.rest)
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    return 2
  }
  if (args.help) {
    console.log(`${hostUsage('npm start --', 'the office-hours queue')}\n\n${QUEUE_FLAGS}`)
    return 0
  }
  const dist = args.dist ?? fileURLToPath(new URL('../dist', import.meta.url))
  if (!existsSync(`${dist}/index.html`)) {
    console.error(`the page is not built (${dist}/index.html missing): run \`npm run -w apps/queue build\` (npm start at the root does it)`)
    return 1
  }
  let room: RoomSecret | undefined
  try {
    room = loadRoomSecret(args.secretFile)
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    return 2
  }
  let host: WebHost
  // One line per source and 10 s: someone probing or flooding the room costs a few lines, not one per frame.
  const refusals = new RepeatedErrors({ emit: (l) => console.log(`[refused] ${formatErrorLine(l)}`) })
  const errors = new RepeatedErrors({ emit: (l) => console.error(`[error] ${formatErrorLine(l)}`) })
  try {
    host = await startWebHost({
      ...args, dist, app: QUEUE_APP, version: QUEUE_CODE_VERSION, timing: QUEUE_TIMING, serverCode: queueServer,
      settings: { privateTopics: queue.privateTopics, ...(queue.taPin === undefined ? {} : { taPin: pinCheck(queue.taPin) }) }, ...(room === undefined ? {} : { secret: room.secret }),
      onError: (e) => { if (process.env.SSHIP_QUEUE_DEBUG !== undefined) errors.report('host', e.message) },
      // A refused link is worth a line: a peer with another secret, or someone probing the room.
      onRefused: (code, peer, message) => refusals.report(peer ?? 'unknown peer', `${code}: ${message}`)
    })
  } catch (error) {
    const ports = [
      { port: args.port, flag: '--port', what: "the page and browsers' links" },
      { port: args.signalingPort, flag: '--signaling-port', what: 'the signaling server; by default --port + 1' }
    ]
    console.error(`could not start: ${explainError(error, { ports, dataDir: args.dataDir })}`)
    return 1
  }
  const scope = args.lan ? 'on the LAN (--lan)' : `on ${args.interface ?? ''} only (this machine; pass --lan for the real network)`
  const secret = room?.secret
  console.log(`office-hours queue: ${host.url}${secret === undefined ? '' : roomFragment('student', secret)}  (${scope})`)
  console.log(`  students: ${host.url}${roomFragment('student', secret)}   TA: ${host.url}${roomFragment('ta', secret)}   host id: ${host.peerId}`)
  if (queue.taPin !== undefined) console.log('  the TA desk asks for the PIN given with --ta-pin')
  if (queue.privateTopics) console.log('  topics are shown to TAs only (--private-topics)')
  if (args.dataDir !== undefined) console.log(`  data kept in ${args.dataDir}: a restart brings the queue back`)
  if (room !== undefined) {
    const where = room.source === 'env' ? 'SSHIP_SECRET' : `${args.secretFile ?? ''}${room.source === 'created' ? ' (new, random)' : ''}`
    console.log(`  room locked with the secret from ${where}: only links that carry it (after #…&room=) get in`)
  }
  if (args.qr) qrcode.generate(`${host.url}${secret === undefined ? '' : roomFragment('student', secret)}`, { small: true }, (qr) => console.log(qr))
  const stopStatus = printStatus(host)

  return new Promise<number>((resolve) => {
    let stoppingSince: number | undefined
    const stop = (signal: string): void => {
      if (stoppingSince !== undefined) {
        // Ctrl-C reaches npm, tsx and us alike, and tsx relays it: one press can arrive twice.
        if (Date.now() - stoppingSince < 1000) return
        console.log('forced exit')
        process.exit(130)
      }
      stoppingSince = Date.now()
      console.log(`${signal}: leaving (mDNS goodbye, closing links)…`)
      stopStatus()
      host.close().then(() => {
        console.log('left cleanly')
        resolve(0)
      }, (error: unknown) => {
        console.error(`error while leaving: ${String(error)}`)
        resolve(1)
      })
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
  })
}

/** Prints one line whenever who serves, the epoch or the successorship list changes. */
function printStatus(host: WebHost): () => void {
  let last = ''
  // Until the host is ready (linked, the server known, its history caught up) a restarted host is
  // rejoining, not witnessing a failover: the "server lost" it would see is its own old term.
  let ready = false
  const show = (s: CoordinatorSnapshot): void => {
    const labels = peerLabels(host.connection.data.toJSON() as Record<string, unknown>)
    const name = (id: string | null): string => displayName(labels, id)
    const who = !ready ? (s.epoch > 0 ? 'rejoining the app…' : 'looking for the app on the network…')
      : s.failoverInProgress ? 'FAILOVER in progress'
        : `server: ${name(s.coordinator)}${s.isServer ? ' (this host)' : ''}`
    const line = who +
      ` | epoch ${s.epoch} | successors: ${s.successors.map(name).join(' > ')} | alive ${s.alive.length}`
    if (line === last) return
    last = line
    console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`)
  }
  show(host.connection.getSnapshot())
  const offReady = host.connection.onEvent((e) => {
    if (e.type !== 'ready') return
    ready = true
    show(host.connection.getSnapshot())
  })
  const offSnapshot = host.connection.subscribe(() => show(host.connection.getSnapshot()))
  return () => {
    offReady()
    offSnapshot()
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
  console.error(error)
  process.exit(1)
})
