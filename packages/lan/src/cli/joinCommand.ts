import { createInterface } from 'node:readline'
import {
  connect, initServer, SecurityError, SecurityErrorCode, type Connection, type SendResult, type Server
} from '@sship/core'
import { openDocLog, PersistError, PersistErrorCode, type DocLog } from '@sship/persist'
import { joinLan } from '../join/joinLan.js'
import { lanTiming } from '../join/lanTiming.js'
import { formatErrorLine, RepeatedErrors } from '../log/RepeatedErrors.js'
import { formatHostPort } from '../transport/peerAddress.js'
import type { JoinArgs } from './cliArgs.js'
import type { CliIO } from './CliIO.js'
import { counterHandler } from './counterServer.js'
import { ledgerReport } from './ledgerReport.js'
import { Output } from './Output.js'
import { loadCliIdentity } from './cliIdentity.js'
import { readRoomSecret } from './roomSecret.js'
import { renderRecord, statusRecord } from './statusRecord.js'

/** The source of errors no peer caused. */
const LOCAL = 'local'
/** How often the set of linked peers is checked for a change (the transport has no subscription). */
const LINKED_POLL_MS = 100

/**
 * `sship join <app>`: joins as an eligible server running the built-in counter, prints a status
 * record on every change (and, with `--send-every`, an `ack` per acknowledged request), and
 * runs until SIGINT/SIGTERM, `quit` or end of input with `--control-stdin`, or `--exit-after`.
 * Shutdown stops the peer, closes every link and sends the mDNS goodbye. Resolves with the exit code.
 */
export async function runJoin(args: JoinArgs, io: CliIO): Promise<number> {
  const started = performance.now()
  const out = new Output(io.stdout, args.json, renderRecord)
  // Errors others cause (bad frames, refused links) are summarised per source: a flood costs a line per interval.
  const errors = new RepeatedErrors({
    emit: (line) => {
      const peer = line.source === LOCAL ? undefined : line.source
      if (args.json) out.event({ type: 'error', message: line.message, ...(peer === undefined ? {} : { peer }), ...(line.summary ? { repeated: line.count } : {}) })
      else if (!/ECONNREFUSED/.test(line.message)) io.stderr.write(`sship: ${line.summary ? formatErrorLine(line) : line.message}\n`)
    }
  })
  const reportError = (message: string, peer?: string): void => errors.report(peer ?? LOCAL, message)
  const refusals = new RepeatedErrors({
    emit: (line) => reportRefusal(out, io, args.json, line.source === LOCAL ? undefined : line.source, line.message, line.summary ? line.count : undefined)
  })
  const secret = args.secret === undefined ? undefined : readRoomSecret(args.secret, (m) => reportError(m))
  // With --identity the GUID is the key pair's (kept in --data-dir, if given); --id is its label.
  const identity = args.identity ? await loadCliIdentity(args.id, args.dataDir) : undefined
  // With --data-dir the document and the GUID come back after a restart (pending requests too).
  const wanted = identity?.id ?? args.id
  const log = args.dataDir === undefined ? undefined : openLog(args.dataDir, wanted, identity !== undefined)
  const peerId = log?.peerId ?? wanted
  const lan = await joinLan(args.app, {
    interface: args.interface, lan: args.lan, port: args.port, mdns: args.mdns, mdnsPort: args.mdnsPort, peers: args.peers,
    ...(peerId === undefined ? {} : { peerId }),
    ...(secret === undefined ? {} : { secret }),
    ...(identity === undefined ? {} : { identity }),
    onError: (e, peer) => (isRefusal(e) ? refusals.report(peer ?? LOCAL, e.message) : reportError(securityPrefix(e) + e.message, peer))
  })
  const server = initServer(args.app, {
    transport: lan.transport, timing: lanTiming(args.timing), onError: (e, from) => reportError(`${e.code}: ${e.message}`, from),
    // A Node process does not sleep like a phone: it may take the role back after a hold-down.
    stable: true, mode: args.mode,
    ...(log === undefined ? {} : { doc: log.doc }),
    ...(identity === undefined ? {} : { identity })
  })
  server.onReceive(counterHandler(server))
  const terms = log === undefined ? 0 : await restoredTerms(server)
  out.event({
    type: 'ready', app: args.app, self: lan.peerId, secure: lan.secure, identity: lan.identity !== undefined, interface: lan.interface, mdnsPort: args.mdnsPort,
    address: lan.address === undefined ? null : formatHostPort(lan.address),
    // With --data-dir: what came back from disk (updates replayed, terms known), null without it.
    restored: log === undefined ? null : { updates: log.stats.replayed, terms, tail: log.stats.recoveredTail, dropped: log.stats.droppedBytes }
  })

  let lastStatus = ''
  const printStatus = (): void => {
    const record = statusRecord(performance.now() - started, server.getSnapshot(), lan.transport.peers())
    const key = JSON.stringify({ ...record, t: 0 })
    if (key === lastStatus) return
    lastStatus = key
    out.status(record)
  }
  const offSnapshot = server.subscribe(printStatus)
  // The coordinator's own steps (claimed, stepped down, following…), from the public event stream.
  const offEvents = server.onEvent((e) => {
    if (e.type === 'coordinator') out.event({ type: 'coordinator-event', t: Math.round(performance.now() - started), event: e.event })
  })
  const linkedPoll = setInterval(printStatus, LINKED_POLL_MS)
  printStatus()

  let sender: Connection | undefined
  let sendTimer: ReturnType<typeof setInterval> | undefined
  const stopSending = (): void => {
    if (sendTimer !== undefined) clearInterval(sendTimer)
    sendTimer = undefined
  }
  if (args.sendEveryMs !== undefined) {
    const connection = connect(args.app, { peer: server.peer })
    sender = connection
    sendTimer = setInterval(() => {
      void connection.send({ op: 'inc' }).then((r) => out.event(sendRecord(r, performance.now() - started)))
    }, args.sendEveryMs)
  }

  return new Promise<number>((resolve) => {
    let stopping = false
    const timers: ReturnType<typeof setTimeout>[] = []
    let offSignal = (): void => undefined
    let input: ReturnType<typeof createInterface> | undefined
    const shutdown = async (reason: string): Promise<void> => {
      if (stopping) return
      stopping = true
      stopSending()
      clearInterval(linkedPoll)
      for (const t of timers) clearTimeout(t)
      offSnapshot()
      offEvents()
      sender?.close()
      server.stop()
      log?.close()
      await lan.close()
      errors.close()
      refusals.close()
      input?.close()
      io.stdin.pause()
      offSignal()
      out.event({ type: 'stopped', reason })
      resolve(0)
    }
    offSignal = io.onSignal((signal) => {
      // A second signal while shutting down means "now": the caller exits at once.
      if (stopping) resolve(130)
      void shutdown(signal)
    })
    if (args.exitAfterMs !== undefined) timers.push(setTimeout(() => void shutdown('exit-after'), args.exitAfterMs))
    if (args.controlStdin) {
      input = createInterface({ input: io.stdin })
      input.on('line', (line) => {
        const command = line.trim()
        if (command === 'report') out.event(ledgerReport(server))
        else if (command === 'stop-sending') {
          stopSending()
          out.event({ type: 'sending-stopped' })
        } else if (command === 'quit') void shutdown('quit')
        else if (command !== '') out.event({ type: 'error', message: `unknown command "${command}" (report, stop-sending, quit)` })
      })
      input.on('close', () => void shutdown('end of input'))
    }
  })
}

/** How long `ready` waits for the signatures of restored terms to be verified (WebCrypto is asynchronous). */
const VERIFY_WAIT_MS = 2000

/**
 * The highest term restored from disk. With an identity a term counts only once its signature is
 * verified, asynchronously: wait (bounded) for the verifications that reading the ledger started.
 */
async function restoredTerms(server: Server): Promise<number> {
  const authority = server.peer.authority
  let terms = server.peer.ledger.maxEpoch()
  const until = performance.now() + VERIFY_WAIT_MS
  while (authority !== undefined && authority.verifications.pending > 0 && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    terms = server.peer.ledger.maxEpoch()
  }
  return terms
}

/** Opens the data directory; a directory that holds another GUID than the key pair's is named as such. */
function openLog(dir: string, peerId: string | undefined, withIdentity: boolean): DocLog {
  try {
    return openDocLog(dir, peerId === undefined ? {} : { peerId })
  } catch (error) {
    if (!withIdentity || !(error instanceof PersistError) || error.code !== PersistErrorCode.PeerIdMismatch) throw error
    throw new PersistError(PersistErrorCode.PeerIdMismatch, `${error.message.replace(/;.*$/, '')}: it was used without --identity ` +
      '(or with another key pair); use another data directory for --identity', { cause: error })
  }
}

const isRefusal = (e: Error): boolean => e instanceof SecurityError && e.code === SecurityErrorCode.AuthFailed
const securityPrefix = (e: Error): string => (e instanceof SecurityError ? `${e.code}: ` : '')

/** One line per refused peer and interval: it holds another room secret (or none), or (with identities) not its GUID's key. */
function reportRefusal(out: Output, io: CliIO, json: boolean, peer: string | undefined, reason: string, repeated: number | undefined): void {
  const message = /room secret/.test(reason)
    ? `peer ${peer ?? '(unknown)'} presented a different room secret (or none); its link is refused`
    : `${reason}; its link is refused`
  const times = repeated === undefined ? '' : ` (${repeated} more times in 10 s)`
  if (json) out.event({ type: 'refused', code: SecurityErrorCode.AuthFailed, peer: peer ?? null, message, ...(repeated === undefined ? {} : { repeated }) })
  else io.stderr.write(`sship: ${message}${times}\n`)
}

function sendRecord(r: SendResult, t: number): { type: string; [key: string]: unknown } {
  return r.status === 'acknowledged'
    ? { type: 'ack', t: Math.round(t), id: r.id, epoch: r.epoch, by: r.by, reply: r.reply ?? null }
    : { type: 'send-failed', t: Math.round(t), id: r.id, error: r.error.message }
}
