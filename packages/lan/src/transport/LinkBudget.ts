import type { Rate } from '@sship/core'

/**
 * What one link (and one server) may cost: a link whose peer does not read is closed once its
 * send queue passes `maxQueuedBytes` ({@link CloseCode.SendQueueFull}), a peer that sends more
 * than `frames` per second is closed with {@link CloseCode.TooManyFrames}, and a server holds at
 * most `maxSockets` sockets (links, handshakes, closing ones). Memory per link is then bounded
 * by `maxQueuedBytes` plus one frame, and per server by `maxServerQueuedBytes` plus one frame per socket.
 */
export interface LinkBudget {
  /** Largest send queue of one link, in bytes, before it is closed. */
  readonly maxQueuedBytes: number
  /** Inbound frame rate of one link. */
  readonly frames: Rate
  /** Most sockets one transport holds at once; further connections are refused. */
  readonly maxSockets: number
  /** Largest sum of every link's send queue; past it the link with the longest queue is closed. */
  readonly maxServerQueuedBytes: number
}

/**
 * Defaults far above what an honest peer needs (a heartbeat every 100 ms, a document update per
 * keystroke, a whole-document answer of a few MB) and far below what floods a peer.
 */
export const DEFAULT_LINK_BUDGET: LinkBudget = {
  maxQueuedBytes: 32 * 1024 * 1024,
  frames: { perSecond: 1000, burst: 3000 },
  maxSockets: 256,
  maxServerQueuedBytes: 128 * 1024 * 1024
}
