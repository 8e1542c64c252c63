import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { roomFragment } from '@sship/web'
import { hostUsage, loadRoomSecret, parseHostArgs, startWebHost, type WebHost } from '@sship/web/host'
import qrcode from 'qrcode-terminal'
import { VOTE_APP, VOTE_CODE_VERSION, VOTE_TIMING, voteServer } from '../src/server/voteServer.js'

/** The vote's default HTTP port: beside the queue's 8080, so both run at once. */
const VOTE_PORT = 8090

/**
 * `npm run start:vote` at the repository root: the class vote's Node host. Prints the students'
 * and the teacher's links (and a QR code for phones), then one line per change of who counts
 * the votes; Ctrl-C leaves cleanly.
 */
async function main(argv: readonly string[]): Promise<number> {
  let host: WebHost
  let secret: string | undefined
  try {
    const args = parseHostArgs(argv, { port: VOTE_PORT })
    if (args.help) {
      console.log(hostUsage('npm run start:vote --', 'the class vote'))
      return 0
    }
    const dist = args.dist ?? fileURLToPath(new URL('../dist', import.meta.url))
    if (!existsSync(`${dist}/index.html`)) throw new Error(`the page is not built (${dist}/index.html missing): run \`npm run -w apps/vote build\``)
    secret = loadRoomSecret(args.secretFile)?.secret
    host = await startWebHost({
      ...args, dist, app: VOTE_APP, version: VOTE_CODE_VERSION, timing: VOTE_TIMING, serverCode: voteServer,
      ...(secret === undefined ? {} : { secret }),
      onRefused: (code, peer) => console.log(`[refused] ${peer ?? 'unknown peer'}: ${code}`)
    })
    if (args.qr) qrcode.generate(`${host.url}${roomFragment('student', secret)}`, { small: true }, (qr) => console.log(qr))
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    return 1
  }
  console.log(`class vote: ${host.url}${roomFragment('student', secret)}`)
  console.log(`  teacher: ${host.url}${roomFragment('teacher', secret)}   host id: ${host.peerId}`)
  let last = ''
  let ready = false
  const show = (): void => {
    const s = host.connection.getSnapshot()
    // Before it is ready a restarted host is rejoining: the "lost server" it sees is its own old term.
    const line = !ready ? (s.epoch > 0 ? 'rejoining the class…' : 'looking for the class on the network…')
      : s.failoverInProgress ? 'the server left: electing another…'
        : `votes counted by ${s.isServer ? 'this host' : s.coordinator} (epoch ${s.epoch})`
    if (line !== last) console.log(`[${new Date().toISOString().slice(11, 19)}] ${(last = line)}`)
  }
  show()
  const offReady = host.connection.onEvent((e) => {
    if (e.type !== 'ready') return
    ready = true
    show()
  })
  const offSnapshot = host.connection.subscribe(show)
  const off = (): void => {
    offReady()
    offSnapshot()
  }
  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (): void => {
      if (stopping) return
      stopping = true
      off()
      host.close().then(() => resolve(0), () => resolve(1))
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
  console.error(error)
  process.exit(1)
})
