import { SystemId } from '../SystemId.js'
import { freePorts } from './freePorts.js'
import { WORKER_SCRIPTS, WorkerProcess } from './WorkerProcess.js'
import type { ReadyEvent, RoleEvent, WorkerEvent } from './workerProtocol.js'

const isReady = (e: WorkerEvent): e is ReadyEvent => e.e === 'ready'
const isLeading = (e: WorkerEvent): e is RoleEvent => e.e === 'role' && e.leader
const BATCH = 5
const START_TIMEOUT_MS = 60_000

/** Options of a {@link RealCluster}. */
export interface RealClusterOptions {
  readonly system: SystemId
  readonly n: number
  /** Each worker exits by itself after this long, whatever happens. */
  readonly exitAfterMs: number
}

/**
 * The processes of one real-process run on loopback: for sship, `n` device processes on static
 * ports (device i dials the devices before it, so each pair has one link; mDNS is off); for the
 * client-server baseline, one central y-websocket server and `n` client processes. Devices are
 * started five at a time so a 2-core machine is not swamped.
 */
export class RealCluster {
  /** The current process of each device. */
  readonly devices: WorkerProcess[] = []
  /** The central server (client-server only). */
  server: WorkerProcess | undefined
  /** Every process ever started, killed ones included. */
  readonly all: WorkerProcess[] = []
  private ports: number[] = []
  private killed: number | undefined
  private readonly frozen = new Set<WorkerProcess>()

  constructor(readonly options: RealClusterOptions) {}

  /** The listening ports of the run (every TCP connection of the run has one of them at one end). */
  listenPorts(): readonly number[] {
    return this.options.system === SystemId.ClientServer ? this.ports.slice(this.options.n) : this.ports.slice(0, this.options.n)
  }

  /** GUID of device `i`. */
  idOf(i: number): string {
    return this.options.system === SystemId.ClientServer ? `c${String(i).padStart(3, '0')}` : `s${String(i).padStart(3, '0')}`
  }

  /** Starts every process and waits until each device is ready and (sship) follows device 0. */
  async start(): Promise<void> {
    const { n, system } = this.options
    this.ports = await freePorts(n + 1)
    if (system === SystemId.ClientServer) {
      this.server = this.spawn('srv', WORKER_SCRIPTS.yServer, ['--port', String(this.ports[n])])
      await this.server.waitFor(isReady, START_TIMEOUT_MS)
      for (let i = 0; i < n; i += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => this.startDevice(i + k))
        await Promise.all(batch.map((p) => p.waitFor(isReady, START_TIMEOUT_MS)))
      }
      return
    }
    const host = this.startDevice(0)
    await host.waitFor(isLeading, START_TIMEOUT_MS)
    for (let i = 1; i < n; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => this.startDevice(i + k))
      await Promise.all(batch.map((p) => p.waitFor(isReady, START_TIMEOUT_MS)))
    }
    const hostId = this.idOf(0)
    const deadline = Date.now() + START_TIMEOUT_MS
    while (!this.devices.every((d) => lastRole(d)?.coordinator === hostId)) {
      if (Date.now() > deadline) {
        const stray = this.devices.filter((d) => lastRole(d)?.coordinator !== hostId).map((d) => `${d.label}→${lastRole(d)?.coordinator ?? 'none'}`)
        throw new Error(`not every device follows ${hostId} after ${START_TIMEOUT_MS} ms: ${stray.slice(0, 8).join(', ')}${stray.length > 8 ? ', …' : ''}`)
      }
      await sleep(50)
    }
  }

  /** True while `p` runs and is not frozen by SIGSTOP. */
  isLive(p: WorkerProcess | undefined): boolean {
    return p !== undefined && p.running && !this.frozen.has(p)
  }

  /** The processes whose counters add up to every byte on the wire. */
  counting(): WorkerProcess[] {
    if (this.options.system === SystemId.ClientServer) return this.isLive(this.server) && this.server !== undefined ? [this.server] : []
    return this.devices.filter((d) => this.isLive(d))
  }

  /**
   * The serving process: the central server, or the live device that most live devices name as
   * their coordinator in their last role event (a device's own word can lag behind a handoff).
   */
  serving(): WorkerProcess | undefined {
    if (this.options.system === SystemId.ClientServer) return this.isLive(this.server) ? this.server : undefined
    const id = consensusCoordinator(this.devices.filter((d) => this.isLive(d)))
    return this.devices.find((d) => this.isLive(d) && d.label === id)
  }

  /**
   * Takes the serving process out; returns its GUID. SIGKILL: the OS closes its sockets, so
   * peers see the links drop at once. SIGSTOP: it freezes with its sockets open, silent like a
   * device that left the Wi-Fi, so only the failure detector can notice (it is SIGKILLed before
   * a restart, and at the end).
   */
  kill(signal: 'SIGKILL' | 'SIGSTOP' = 'SIGKILL'): string {
    const victim = this.serving()
    if (victim === undefined) throw new Error('no server to kill')
    victim.kill(signal)
    if (signal === 'SIGSTOP') this.frozen.add(victim)
    this.killed = victim === this.server ? -1 : this.devices.indexOf(victim)
    return victim.label
  }

  /** Restarts the killed device (sship only) with the same GUID, dialing every other device. */
  async restartKilled(): Promise<WorkerProcess | undefined> {
    if (this.options.system !== SystemId.Sship || this.killed === undefined || this.killed < 0) return undefined
    const i = this.killed
    this.devices[i]?.kill('SIGKILL')
    await this.devices[i]?.exited
    const p = this.startDevice(i, true)
    await p.waitFor(isReady, START_TIMEOUT_MS)
    return p
  }

  /** Asks every process to quit, and kills what is left after a grace period. */
  async stop(): Promise<void> {
    for (const p of this.frozen) p.kill('SIGKILL')
    await Promise.all(this.all.map((p) => p.stop()))
  }

  private startDevice(i: number, dialEveryone = false): WorkerProcess {
    const { system, n, exitAfterMs } = this.options
    const id = this.idOf(i)
    let p: WorkerProcess
    if (system === SystemId.ClientServer) {
      p = this.spawn(id, WORKER_SCRIPTS.yClient, ['--id', id, '--server', `ws://127.0.0.1:${this.ports[n]}`, '--exit-after', String(exitAfterMs)])
    } else {
      const dial = this.ports.slice(0, dialEveryone ? n : i).filter((_, j) => j !== i).map((port) => `127.0.0.1:${port}`)
      const eligible = system === SystemId.Sship || i === 0
      p = this.spawn(id, WORKER_SCRIPTS.sship, [
        '--id', id, '--port', String(this.ports[i]), '--dial', dial.join(','),
        '--eligible', eligible ? '1' : '0', '--failover', system === SystemId.Sship ? '1' : '0', '--exit-after', String(exitAfterMs)
      ])
    }
    this.devices[i] = p
    return p
  }

  private spawn(label: string, script: string, args: string[]): WorkerProcess {
    const p = new WorkerProcess(label, script, args)
    this.all.push(p)
    return p
  }
}

/** The last role event of a process. */
export function lastRole(p: WorkerProcess): RoleEvent | undefined {
  for (let i = p.events.length - 1; i >= 0; i--) {
    const e = p.events[i]
    if (e?.e === 'role') return e
  }
  return undefined
}

/** The coordinator most of `devices` name in their last role event, if any. */
export function consensusCoordinator(devices: readonly WorkerProcess[]): string | null {
  const votes = new Map<string, number>()
  for (const d of devices) {
    const c = lastRole(d)?.coordinator
    if (c !== null && c !== undefined) votes.set(c, (votes.get(c) ?? 0) + 1)
  }
  let best: string | null = null
  for (const [c, v] of votes) if (best === null || v > (votes.get(best) ?? 0) || (v === votes.get(best) && c < best)) best = c
  return best
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
