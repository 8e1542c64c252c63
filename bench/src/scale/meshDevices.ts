import { OpBook } from '../measure/OpBook.js'
import { SimSship } from '../systems/sim/SimSship.js'
import { makePayload } from '../workload/payload.js'

/** What the device-level probe of a capped mesh measured (simulation, virtual time). */
export interface MeshDeviceResult {
  readonly n: number
  readonly k: number
  /** Links (WebRTC data channels in a real room) per device: the largest and the mean. */
  readonly linksMax: number
  readonly linksMean: number
  /** Every device reached every other (directly or relayed). */
  readonly allReachable: boolean
  /** Process CPU per virtual second of idle, divided by the devices: an upper bound of one device's protocol CPU (simulator included). */
  readonly idleCpuMsPerSecPerDevice: number
  /** A device restarting empty: until it reaches every peer, follows the coordinator and holds every entry (virtual ms); null if not within 10 s. */
  readonly joinMs: number | null
}

/**
 * Boots `n` sship devices on a capped mesh (k wanted links each, {@link RelayTransport} over
 * {@link CappedLinks}) in simulation, writes 60 entries, then measures links per device, idle
 * CPU, and a newcomer: one device crashes, 20 more entries are written, and it restarts with an
 * empty document — the time until it is linked, follows the coordinator, and holds them all.
 */
export function measureMeshDevices(n: number, k: number, seed: number, idleMs = 10_000): MeshDeviceResult {
  const sys = new SimSship(n, true, seed, new OpBook(), { k })
  sys.start()
  const clock = sys.clock
  clock.advance(3000)
  let written = 0
  const write = (count: number): void => {
    for (let i = 0; i < count; i++, written++) sys.enqueue(1 + (written % (n - 2)), { id: `e${written}`, k: written, p: makePayload(seed, written, 256) })
  }
  write(60)
  clock.advance(2000)
  const links = [...sys.relays.values()].map((r) => r.links().size)
  const allReachable = [...sys.relays.values()].every((r) => r.peers().size === n - 1)
  const cpu0 = process.cpuUsage()
  clock.advance(idleMs)
  const cpu = process.cpuUsage(cpu0)
  const idleCpuMsPerSecPerDevice = (cpu.user + cpu.system) / 1000 / (idleMs / 1000) / n

  const newcomer = sys.cluster.members[n - 1]
  if (newcomer === undefined) throw new Error('no newcomer')
  sys.cluster.crash(newcomer.id)
  clock.advance(1000)
  write(20)
  clock.advance(1000)
  sys.cluster.restart(newcomer.id)
  const leader = sys.cluster.leaders()[0]
  const joined = (): boolean => {
    const relay = sys.relays.get(newcomer.id)
    const conn = newcomer.connection
    const want = leader?.connection?.data.size ?? -1
    return relay !== undefined && conn !== undefined && relay.peers().size === n - 1 &&
      conn.getSnapshot().coordinator === leader?.id && conn.data.size === want && want === written
  }
  const joinMs = sys.cluster.runUntil(joined, 10_000, 5)
  return {
    n, k, linksMax: Math.max(...links), linksMean: links.reduce((a, b) => a + b, 0) / links.length, allReachable,
    idleCpuMsPerSecPerDevice, joinMs: joinMs < 0 ? null : joinMs
  }
}
