import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { SignalingServer } from '@sship/webrtc/server'
import type { RealWebrtcResult } from './realWebrtc.js'
import type { RtcWorkerReply, RtcWorkerRequest } from './rtcWorker.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const WORKER = fileURLToPath(new URL('./rtcWorker.js', import.meta.url))

/** One worker process and a way to ask it something. */
class Worker {
  private readonly child: ChildProcess
  private waiting: Array<(reply: RtcWorkerReply) => void> = []

  constructor(args: readonly string[]) {
    this.child = fork(WORKER, [...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    this.child.on('message', (m: RtcWorkerReply) => this.waiting.shift()?.(m))
  }

  ask<T extends RtcWorkerReply['type']>(type: T): Promise<Extract<RtcWorkerReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rtcWorker did not answer ${type}`)), 30_000)
      this.waiting.push((reply) => {
        clearTimeout(timer)
        resolve(reply as Extract<RtcWorkerReply, { type: T }>)
      })
      this.child.send({ type } satisfies RtcWorkerRequest)
    })
  }

  close(): void {
    if (this.child.connected) this.child.send({ type: 'close' } satisfies RtcWorkerRequest)
    setTimeout(() => this.child.kill('SIGKILL'), 3000).unref()
  }
}

/**
 * {@link measureRealWebrtc} spread over processes of `perProcess` peers each (one process runs
 * out of file descriptors near 20 fully linked wrtc peers). Same figures, except the relink
 * through the mesh (measured by `measureRealHeal`): CPU and RSS are summed over the workers.
 */
export async function measureRealWebrtcMulti(n: number, idleMs: number, mode: 'full' | 'mesh', perProcess = 8): Promise<RealWebrtcResult> {
  const server = await SignalingServer.start({ host: '127.0.0.1', port: 0 })
  const room = `scale-multi-${mode}-${n}-${Date.now()}`
  const workers: Worker[] = []
  const statuses = async (): Promise<Array<Extract<RtcWorkerReply, { type: 'status' }>>> => Promise.all(workers.map((w) => w.ask('status')))
  const until = async (target: number, timeoutMs: number): Promise<number | null> => {
    const start = performance.now()
    for (;;) {
      const s = await statuses()
      if (s.every((x) => x.reach.every((r) => r === target))) return performance.now() - start
      if (performance.now() - start > timeoutMs) return null
      await sleep(100)
    }
  }
  try {
    for (let from = 0; from < n; from += perProcess) workers.push(new Worker([server.url, room, mode, String(from), String(Math.min(n, from + perProcess))]))
    const meshMs = await until(n - 1, 60_000 + n * 3000)
    const setups = (await statuses()).flatMap((s) => s.setups).sort((a, b) => a - b)
    await sleep(1000)
    const cpu0 = await Promise.all(workers.map((w) => w.ask('cpu')))
    await sleep(idleMs)
    const cpu1 = await Promise.all(workers.map((w) => w.ask('cpu')))
    // Each worker's CPU over its own window (a loaded worker answers late): ms per second, summed.
    const cpuMsPerSec = cpu1.reduce((s, c, i) => s + (c.cpuMs - (cpu0[i]?.cpuMs ?? 0)) / Math.max(1, (c.atMs - (cpu0[i]?.atMs ?? 0)) / 1000), 0)
    const rssMb = cpu1.reduce((s, c) => s + c.rssMb, 0)
    workers.push(new Worker([server.url, room, mode, String(n), String(n + 1)]))
    const newcomerMs = await until(n, 30_000)
    const linksMax = Math.max(...(await statuses()).flatMap((s) => s.links))
    return {
      n, mode, linksMax, relinkThroughMeshMs: null, meshed: meshMs !== null, meshMs: meshMs === null ? null : Math.round(meshMs),
      linkSetupP50Ms: setups.length === 0 ? null : Math.round(setups[Math.floor(setups.length / 2)] as number),
      linkSetupMaxMs: setups.length === 0 ? null : Math.round(setups[setups.length - 1] as number),
      newcomerMs: newcomerMs === null ? null : Math.round(newcomerMs),
      idleCpuMsPerSecPerPeer: Math.round((cpuMsPerSec / n) * 100) / 100,
      // Each worker's RSS includes its own Node runtime (about 50 MB): an upper bound per peer.
      rssMbPerPeer: Math.round((rssMb / n) * 10) / 10
    }
  } finally {
    for (const w of workers) w.close()
    await server.close()
  }
}
