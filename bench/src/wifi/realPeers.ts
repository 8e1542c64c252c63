import { CliProcess, type CliStatus } from '@sship/lan/testing'
import type { RoleObservation } from './roleTimeline.js'
import type { AckRecord } from './ledgerCheck.js'

/** The app every Wi-Fi run joins. */
export const WIFI_APP = 'wifi-bench'

/** One `sship join` peer of a real Wi-Fi run: its namespace, GUID, data directory and every process it ran as. */
export class RealPeer {
  readonly lives: CliProcess[] = []

  constructor(
    readonly index: number,
    readonly id: string,
    private readonly ns: string,
    private readonly address: string,
    private readonly dataDir: string,
    private readonly sendEveryMs: number,
    private readonly exitAfterMs: number
  ) {}

  /** Starts (or restarts, with the same GUID and data directory, like a device rebooting) the process. */
  start(): CliProcess {
    const life = new CliProcess(`${this.id}#${this.lives.length}`, [
      'join', WIFI_APP, '--interface', this.address, '--id', this.id, '--data-dir', this.dataDir,
      '--send-every', String(this.sendEveryMs), '--exit-after', String(this.exitAfterMs)
    ], { netns: this.ns })
    this.lives.push(life)
    return life
  }

  /** The current process. */
  get life(): CliProcess | undefined {
    return this.lives.at(-1)
  }

  /** True while the current process runs and is not frozen. */
  get up(): boolean {
    const l = this.life
    return l !== undefined && l.running && !l.paused
  }

  status(): CliStatus | undefined {
    return this.life?.status()
  }

  /** Every status record of every life, as role observations (the bench's clock). */
  observations(): RoleObservation[] {
    return this.lives.flatMap((l) => l.records.filter((r) => r.record.type === 'status').map((r) => this.observation(r.at, r.record)))
  }

  /**
   * The status records since `since`, and the last one before it (what the peer said at `since`):
   * enough to time a failover without rescanning a long run's records on every poll.
   */
  observationsSince(since: number): RoleObservation[] {
    const out: RoleObservation[] = []
    for (let l = this.lives.length - 1; l >= 0; l--) {
      const records = this.lives[l]?.records ?? []
      for (let i = records.length - 1; i >= 0; i--) {
        const r = records[i]
        if (r === undefined || r.record.type !== 'status') continue
        out.push(this.observation(r.at, r.record))
        if (r.at < since) return out.reverse()
      }
    }
    return out.reverse()
  }

  private observation(at: number, record: object): RoleObservation {
    const s = record as CliStatus
    return { at, peer: this.id, coordinator: s.coordinator, epoch: s.epoch, failoverInProgress: s.failoverInProgress }
  }

  /** Every ack every life printed. */
  acks(): AckRecord[] {
    return this.lives.flatMap((l) => l.all('ack').map((a) => ({ id: String(a.id), by: String(a.by), count: Number((a.reply as { count?: unknown } | null)?.count) })))
  }

  /** Kills every life still running (SIGKILL also ends a frozen one). */
  killAll(): void {
    for (const l of this.lives) l.kill('SIGKILL')
  }
}

/** True when every up peer follows one coordinator at one epoch, is linked to all others and sees no failover. */
export function agreed(peers: readonly RealPeer[]): { coordinator: string; epoch: number } | undefined {
  let first: CliStatus | undefined
  for (const p of peers) {
    const s = p.status()
    if (!p.up || s === undefined || s.coordinator === null || s.failoverInProgress || s.linked.length < peers.length - 1) return undefined
    first ??= s
    if (s.coordinator !== first.coordinator || s.epoch !== first.epoch) return undefined
  }
  return first === undefined || first.coordinator === null ? undefined : { coordinator: first.coordinator, epoch: first.epoch }
}

/** The coordinator most up peers follow right now (the one a cut should hit), if any. */
export function mostFollowed(peers: readonly RealPeer[]): string | undefined {
  const votes = new Map<string, number>()
  for (const p of peers) {
    const c = p.up ? p.status()?.coordinator : undefined
    if (c !== undefined && c !== null) votes.set(c, (votes.get(c) ?? 0) + 1)
  }
  return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0]
}
