import { createRequire } from 'node:module'
import { asPeerId, type PeerId } from '@sship/core'
import { seededRandom } from '@sship/core/internals'
import { WebSocket } from 'ws'
import { loopbackOnly, WebrtcTransport, type WebrtcTransportOptions } from '../../src/index.js'

const require = createRequire(import.meta.url)
/** Node's WebRTC (prebuilt native binaries, installed as an optional dependency). */
export const wrtc = require('@roamhq/wrtc') as object

/**
 * A WebrtcTransport for a Node peer in a test: @roamhq/wrtc, `ws`, no ICE servers, and loopback
 * candidates only, so every packet stays on 127.0.0.1 / ::1.
 */
export function nodeTransport(
  peer: string,
  signaling: readonly string[],
  seed: number,
  extra: Partial<WebrtcTransportOptions> = {}
): WebrtcTransport {
  return new WebrtcTransport({
    peerId: asPeerId(peer),
    room: 'sship-test',
    signaling,
    iceServers: [],
    wrtc,
    WebSocket,
    allowCandidate: loopbackOnly,
    random: seededRandom(seed),
    backoff: { initialMs: 20, maxMs: 300 },
    ...extra
  })
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `done` every 10 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<number> {
  const start = performance.now()
  while (!done()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
  return performance.now() - start
}

/** The PeerIds `a`, `b`, `c`, … of `count` peers. */
export const peerIds = (count: number): PeerId[] => Array.from({ length: count }, (_, i) => asPeerId(String.fromCharCode(97 + i)))
