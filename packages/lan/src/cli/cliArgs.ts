import { parseArgs } from 'node:util'
import { userPath } from './explainError.js'
import type { SecretSource } from './roomSecret.js'

/** Options shared by every command that touches the network. */
export interface NetworkArgs {
  /** Address to send mDNS from and bind to; undefined only with `lan`. */
  readonly interface: string | undefined
  /** `--lan`: explicitly use this machine's LAN address. */
  readonly lan: boolean
  /** mDNS UDP port. */
  readonly mdnsPort: number
  /** One JSON object per line instead of human output. */
  readonly json: boolean
  /** The room secret's source (`--secret-file`, or the `SSHIP_SECRET` environment variable); none: an open room. */
  readonly secret: SecretSource | undefined
  /**
   * `--identity`: link with a key pair, as a self-certifying GUID `<label>~<fingerprint>` (needs
   * the room secret). Every member of a room with identities must pass it; so must `sship status`.
   */
  readonly identity: boolean
}

/** `sship join <app>`. */
export interface JoinArgs extends NetworkArgs {
  readonly command: 'join'
  readonly app: string
  readonly port: number
  /** `--id`: the peer GUID, or with `--identity` the label of the GUID `<label>~<fingerprint>`. */
  readonly id: string | undefined
  /** Keep the document and the peer GUID (with `--identity`, the key pair) in this directory (survives restarts and total outages). */
  readonly dataDir: string | undefined
  readonly timing: { heartbeatMs?: number; suspectMs?: number; suspectMaxMs?: number; holdDownMs?: number; staggerMs?: number; joinGraceMs?: number }
  /** `--mode`: `availability` (default) or `quorum` (see the README's "Modes"). */
  readonly mode: 'availability' | 'quorum'
  readonly sendEveryMs: number | undefined
  readonly peers: readonly string[]
  readonly mdns: boolean
  readonly controlStdin: boolean
  readonly exitAfterMs: number | undefined
}

/** `sship status <app>`. */
export interface StatusArgs extends NetworkArgs {
  readonly command: 'status'
  readonly app: string
  readonly timeoutMs: number
}

/** A parsed command line. */
export type CliArgs = JoinArgs | StatusArgs | { readonly command: 'help' }

/** A command line that cannot be run; the message says why and how to fix it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The help text (also printed with a usage error). */
export const USAGE = `usage:
  sship join <app> (--interface ADDR | --lan) [--secret-file PATH [--identity]] [--port N] [--mdns-port N] [--id GUID|LABEL]
                   [--mode availability|quorum] [--heartbeat ms] [--suspect ms] [--suspect-max ms]
                   [--hold-down ms] [--stagger ms] [--join-grace ms]
                   [--send-every ms] [--peer host:port]... [--no-mdns]
                   [--json] [--control-stdin] [--exit-after ms] [--data-dir DIR]
  sship status <app> (--interface ADDR | --lan) [--secret-file PATH [--identity]] [--mdns-port N] [--timeout ms] [--json]
                   (waits until it has heard the coordinator, at most --timeout, default 5000)

--interface ADDR  local IPv4 address to use (mDNS is sent from it, the server binds to it);
                  127.0.0.1 keeps everything on this machine. Required unless --lan is given.
--lan             use this machine's first LAN address (sends multicast on the real network).
--secret-file PATH  the room secret (the file's content, trailing newline removed); or set
                  SSHIP_SECRET. Only peers with the same secret link; every frame is encrypted.
                  There is no --secret VALUE: a command line is visible to every user (ps).
--identity        (needs the room secret) link with an ECDSA P-256 key pair: the GUID becomes
                  LABEL~FINGERPRINT (--id LABEL, default "peer"), every link proves it, and terms,
                  decisions and requests are signed, so no member can take another's GUID or
                  forge the server's decisions. With --data-dir the key pair is kept there
                  (identity.json: keep the directory private), so a restarted peer keeps its GUID;
                  without it the key pair lives in memory only. Every member of the room (and
                  sship status) must pass --identity.
--mode quorum     only a side with a majority of the eligible peers elects a coordinator, and a
                  request is acknowledged only once a majority holds its decision: nothing
                  acknowledged is ever decided twice, but a minority (a peer cut off) waits.
                  Default availability: every side keeps serving; a coordinator cut off from
                  every peer it saw alive holds requests until it hears one again.
--suspect ms      the failure detector's floor (default 250); --suspect-max ms its ceiling
                  (default 3000): the detector adapts between them to each link's jitter.
join runs an eligible, stable server (it takes the role back once reachable for a hold-down)
whose built-in server code is a counter: {"op":"inc"} adds one and
replies {"count":n}; {"op":"get"} replies {"count":n}.
--join-grace ms   how long a starting peer listens for a coordinator before acting
                  (default 1500, or --suspect if longer: covers mDNS discovery).
--send-every ms   also send {"op":"inc"} every ms and print each acknowledgement.
--control-stdin   read commands from stdin, one per line: report, stop-sending, quit;
                  end of input quits (so a dead parent never leaves this process behind).
--exit-after ms   quit cleanly after ms.`

const positiveInt = (name: string, v: string | undefined, fallback: number | undefined): number | undefined => {
  if (v === undefined) return fallback
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`)
  return Number(v)
}

/** The longest GUID label (see core's `identityGuid`). */
const MAX_LABEL = 64

/** With `--identity`, `--id` is only the label: the fingerprint comes from the key pair, never from the command line. */
function checkLabel(label: string): void {
  if (label.includes('~')) {
    throw new UsageError(`with --identity, --id is a label, not a GUID: "${label}" contains "~". ` +
      'The part after "~" is the fingerprint of the peer\'s own key; it cannot be chosen')
  }
  if (label.length === 0 || label.length > MAX_LABEL || label.includes(':')) {
    throw new UsageError(`with --identity, --id must be a label of 1 to ${MAX_LABEL} characters without ":" or "~", got "${label}"`)
  }
}

/**
 * Parses `argv` (without `node` and the script); `env` is consulted for `SSHIP_SECRET` only.
 * Throws {@link UsageError}. Pure.
 */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): CliArgs {
  if (argv.some((a) => a === '--secret' || a.startsWith('--secret='))) {
    throw new UsageError('there is no --secret VALUE: a command line is visible to every user of this machine (ps); ' +
      'put the secret in a file only you can read and pass --secret-file PATH, or set SSHIP_SECRET')
  }
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        interface: { type: 'string' }, lan: { type: 'boolean' }, 'mdns-port': { type: 'string' }, json: { type: 'boolean' },
        port: { type: 'string' }, id: { type: 'string' }, heartbeat: { type: 'string' }, suspect: { type: 'string' },
        'hold-down': { type: 'string' }, 'suspect-max': { type: 'string' }, mode: { type: 'string' }, stagger: { type: 'string' }, 'join-grace': { type: 'string' }, 'send-every': { type: 'string' },
        peer: { type: 'string', multiple: true }, 'no-mdns': { type: 'boolean' }, 'control-stdin': { type: 'boolean' },
        'exit-after': { type: 'string' }, 'data-dir': { type: 'string' }, 'secret-file': { type: 'string' }, identity: { type: 'boolean' },
        timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values: v, positionals } = parsed
  const [command, app, ...rest] = positionals
  if (v.help === true || command === undefined || command === 'help') return { command: 'help' }
  if (command !== 'join' && command !== 'status') throw new UsageError(`unknown command "${command}"`)
  if (app === undefined || app.length === 0) throw new UsageError(`sship ${command} needs an app name`)
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`)
  if (v.interface === undefined && v.lan !== true) {
    throw new UsageError('--interface is required (e.g. --interface 127.0.0.1 to stay on this machine), or pass --lan to use the real network explicitly')
  }
  const envSecret = env.SSHIP_SECRET
  if (v['secret-file'] !== undefined && envSecret !== undefined) {
    throw new UsageError('the room secret is given twice (--secret-file and SSHIP_SECRET); give it once')
  }
  const secret: SecretSource | undefined = v['secret-file'] !== undefined
    ? { from: 'file', path: userPath(v['secret-file'], env) }
    : envSecret !== undefined ? { from: 'env', value: envSecret } : undefined
  const identity = v.identity === true
  if (identity && secret === undefined) {
    throw new UsageError('--identity needs the room secret (--secret-file PATH, or SSHIP_SECRET): the identity step is part of the secure handshake')
  }
  if (identity && v.id !== undefined) checkLabel(v.id)
  const network: NetworkArgs = {
    interface: v.interface, lan: v.lan === true, mdnsPort: positiveInt('mdns-port', v['mdns-port'], 5353) ?? 5353, json: v.json === true, secret, identity
  }
  if (command === 'status') return { command, app, ...network, timeoutMs: positiveInt('timeout', v.timeout, 5000) ?? 5000 }
  const timing: JoinArgs['timing'] = {}
  const heartbeat = positiveInt('heartbeat', v.heartbeat, undefined)
  const suspect = positiveInt('suspect', v.suspect, undefined)
  const holdDown = positiveInt('hold-down', v['hold-down'], undefined)
  const suspectMax = positiveInt('suspect-max', v['suspect-max'], undefined)
  if (suspectMax !== undefined) timing.suspectMaxMs = suspectMax
  const mode = v.mode ?? 'availability'
  if (mode !== 'availability' && mode !== 'quorum') throw new UsageError(`--mode must be availability or quorum, got "${mode}"`)
  const stagger = positiveInt('stagger', v.stagger, undefined)
  const joinGrace = positiveInt('join-grace', v['join-grace'], undefined)
  if (heartbeat !== undefined) timing.heartbeatMs = heartbeat
  if (suspect !== undefined) timing.suspectMs = suspect
  if (holdDown !== undefined) timing.holdDownMs = holdDown
  if (stagger !== undefined) timing.staggerMs = stagger
  if (joinGrace !== undefined) timing.joinGraceMs = joinGrace
  const sendEveryMs = positiveInt('send-every', v['send-every'], undefined)
  if (sendEveryMs === 0) throw new UsageError('--send-every must be at least 1 ms')
  return {
    command, app, ...network, timing, mode, sendEveryMs,
    port: positiveInt('port', v.port, 0) ?? 0,
    id: v.id,
    dataDir: v['data-dir'] === undefined ? undefined : userPath(v['data-dir'], env),
    peers: v.peer ?? [],
    mdns: v['no-mdns'] !== true,
    controlStdin: v['control-stdin'] === true,
    exitAfterMs: positiveInt('exit-after', v['exit-after'], undefined)
  }
}
