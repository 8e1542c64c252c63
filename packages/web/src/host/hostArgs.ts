import { userPath } from '@sship/lan'
/** The host's command line, parsed. */
export interface HostArgs {
  /** HTTP port of the page and of browsers' links (`/sship`). */
  readonly port: number
  /** Port of the signaling server; default `port + 1` (0 when `port` is 0). */
  readonly signalingPort: number
  /** Address to bind and advertise on; undefined with `lan`. */
  readonly interface: string | undefined
  /** Use this machine's first LAN address (the real network): needs saying. */
  readonly lan: boolean
  /** The host's GUID; keep it across restarts to take the role back. Default `host-<hostname>-<port>`. */
  readonly id: string | undefined
  readonly mdns: boolean
  readonly mdnsPort: number
  /** How long the returning host waits before it takes the role back. */
  readonly holdDownMs: number
  /**
   * `--mode quorum`: only a majority of the eligible peers elects a coordinator and a reply is
   * shown only once a majority holds it (nothing acknowledged is ever decided twice; a cut-off
   * minority waits). Default `availability` (see the README's "Modes").
   */
  readonly mode: 'availability' | 'quorum'
  /** Directory of the built page. */
  readonly dist: string | undefined
  /** Directory of the host's append log (document + GUID), so the app survives a total outage. */
  readonly dataDir: string | undefined
  /** File holding the room secret (created with a random one if missing); `SSHIP_SECRET` also works. */
  readonly secretFile: string | undefined
  readonly qr: boolean
  readonly help: boolean
}

/** What `--help` prints, for an app started with `command` that serves `what` (e.g. "the office-hours queue"). */
export function hostUsage(command: string, what: string): string {
  return `usage: ${command} [--port 8080] [--interface 127.0.0.1 | --lan] [--signaling-port N]
       [--id GUID] [--hold-down ms] [--mode availability|quorum] [--mdns-port 5353] [--no-mdns] [--no-qr] [--dist DIR]
       [--secret-file PATH] [--data-dir DIR]

Serves ${what} over HTTP, runs a WebRTC signaling server, and joins the app as an
eligible peer, advertised over mDNS. By default everything binds to 127.0.0.1 (this machine
only); --lan binds to and advertises on this machine's first LAN address instead.
--secret-file locks the room with the secret in PATH (a random one is written there if the file
does not exist; or set SSHIP_SECRET): every link must prove it and is encrypted, and the printed
links and QR code carry it in their #fragment, which browsers never send to a server.
--mode quorum: only a side with a majority of the eligible peers (hosts and pages) serves, and a
TA sees a call only once a majority holds it: never the same student called twice after a cut.
--data-dir keeps the host's document and GUID in DIR (crash-safe append log): a host restarted
with it brings the app back even when every other peer is gone too.`
}

const DEFAULTS = { port: 8080, mdnsPort: 5353, holdDownMs: 3000 }

/** Defaults an app may change (e.g. its own port, so two apps run side by side). */
export interface HostArgDefaults {
  readonly port?: number
}

/** Parses the host's flags; throws a `TypeError` that says what is wrong. */
export function parseHostArgs(argv: readonly string[], defaults: HostArgDefaults = {}): HostArgs {
  let port = defaults.port ?? DEFAULTS.port
  let signalingPort: number | undefined
  let iface: string | undefined
  let lan = false
  let id: string | undefined
  let mdns = true
  let mdnsPort = DEFAULTS.mdnsPort
  let holdDownMs = DEFAULTS.holdDownMs
  let mode: HostArgs['mode'] = 'availability'
  let dist: string | undefined
  let secretFile: string | undefined
  let dataDir: string | undefined
  let qr = true
  let help = false
  const rest = [...argv]
  const value = (flag: string): string => {
    const v = rest.shift()
    if (v === undefined || v.startsWith('--')) throw new TypeError(`${flag} needs a value`)
    return v
  }
  const int = (flag: string, min: number, max: number): number => {
    const v = Number(value(flag))
    if (!Number.isInteger(v) || v < min || v > max) throw new TypeError(`${flag} must be an integer from ${min} to ${max}`)
    return v
  }
  for (let flag = rest.shift(); flag !== undefined; flag = rest.shift()) {
    switch (flag) {
      case '--port': port = int(flag, 0, 65535); break
      case '--signaling-port': signalingPort = int(flag, 0, 65535); break
      case '--interface': iface = value(flag); break
      case '--lan': lan = true; break
      case '--id': id = value(flag); break
      case '--no-mdns': mdns = false; break
      case '--mdns-port': mdnsPort = int(flag, 1, 65535); break
      case '--hold-down': holdDownMs = int(flag, 0, 600_000); break
      case '--mode': {
        const m = value(flag)
        if (m !== 'availability' && m !== 'quorum') throw new TypeError(`--mode must be availability or quorum, got ${m}`)
        mode = m
        break
      }
      case '--dist': dist = value(flag); break
      case '--secret-file': secretFile = userPath(value(flag)); break
      case '--data-dir': dataDir = userPath(value(flag)); break
      case '--no-qr': qr = false; break
      case '--help': case '-h': help = true; break
      default: throw new TypeError(`unknown argument ${flag} (--help lists the flags)`)
    }
  }
  if (lan && iface !== undefined) throw new TypeError('give either --interface ADDR or --lan, not both')
  if (!lan && iface === undefined) iface = '127.0.0.1'
  return {
    port, signalingPort: signalingPort ?? (port === 0 ? 0 : port + 1), interface: iface, lan, id, mdns, mdnsPort, holdDownMs, mode, dist, secretFile, dataDir, qr, help
  }
}
