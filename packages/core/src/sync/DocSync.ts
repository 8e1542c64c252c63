import type { Clock, TimerHandle } from '../clock/Clock.js'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { FrameError, FrameErrorCode } from '../errors/errors.js'
import type { PeerId } from '../ids/ids.js'
import { encodeEnvelope } from '../protocol/envelope.js'
import { MessageType } from '../protocol/MessageType.js'
import type { Random } from '../random/Random.js'
import { stateDigest } from './stateDigest.js'
import { SyncAnswerLimiter } from './SyncAnswerLimiter.js'
import { JoinSource } from './JoinSource.js'
import { refuseUpdate, unwedge } from './validateUpdate.js'

/** What {@link DocSync} needs from its owner. */
export interface DocSyncHost {
  /** Sends one frame to one peer. */
  send(to: PeerId, frame: Uint8Array): void
  /** Peers to which local changes are broadcast. */
  peers(): Iterable<PeerId>
  /** A frame from `from` was dropped. */
  reportError(error: FrameError, from: PeerId): void
  readonly clock: Clock
  /** Picks the anti-entropy partner. */
  readonly random: Random
  /** Interval of anti-entropy rounds in ms; 0 turns them off. */
  readonly antiEntropyMs: number
  /** A peer's sync step 1 is answered at most once per this many ms, the rest coalesced. Default {@link SYNC_ANSWER_INTERVAL_MS}. */
  readonly syncAnswerIntervalMs?: number
  /** How long the first sync waits for its one source before asking another peer (see {@link JoinSource}). Default 3000. */
  readonly joinSourceTimeoutMs?: number
}

/** Default of {@link DocSyncHost.syncAnswerIntervalMs}: a peer asking for the whole document in a loop gets it ten times a second at most (and a peer that does not read is closed by its transport's send-queue budget). */
export const SYNC_ANSWER_INTERVAL_MS = 100

/**
 * Keeps one `Y.Doc` (and optionally a y-protocols `Awareness`) in sync with every reachable peer,
 * with the y-protocols sync protocol: step 1 (state vector) on join, step 2 (the missing
 * update) in reply, then every local update broadcast. Incoming updates are validated before
 * they touch the document, so a malformed one leaves it as it was.
 *
 * Links may lose frames and partitions heal silently, so every `antiEntropyMs` the peer sends
 * its document digest to one random peer; a peer whose digest differs answers with sync step 1
 * (and its own digest, once), so both sides fetch what they lack. Lazy replication in the
 * proposal's sense: replicas exchange state now and then and converge when the system is quiet.
 */
export class DocSync {
  /** Transaction origin of updates that came from the network. */
  readonly remoteOrigin: object = { sship: 'remote' }
  private digestCache: number | undefined
  private readonly awarenessClients = new Map<PeerId, Set<number>>()
  private readonly offDoc: () => void
  private readonly offAwareness: () => void
  private antiEntropyTimer: TimerHandle | undefined
  /** Peers whose answer to our sync step 1 (their sync step 2) we applied since they last joined. */
  private readonly synced = new Set<PeerId>()
  private readonly syncedListeners = new Set<(peer: PeerId) => void>()
  private readonly answers: SyncAnswerLimiter
  /** Anti-entropy rounds that found a difference. */
  repairs = 0
  /** The first sync takes the document from one peer only. */
  private readonly join: JoinSource

  constructor(
    readonly doc: Y.Doc,
    private readonly host: DocSyncHost,
    readonly awareness: awarenessProtocol.Awareness | undefined = undefined
  ) {
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      this.digestCache = undefined
      if (origin === this.remoteOrigin) return
      const frame = syncFrame((e) => syncProtocol.writeUpdate(e, update))
      for (const peer of host.peers()) host.send(peer, frame)
    }
    doc.on('update', onUpdate)
    this.offDoc = () => doc.off('update', onUpdate)
    const onAwareness = (
      change: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown
    ): void => {
      if (origin === this.remoteOrigin || awareness === undefined) return
      const clients = [...change.added, ...change.updated, ...change.removed]
      const frame = encodeEnvelope(MessageType.Awareness, awarenessProtocol.encodeAwarenessUpdate(awareness, clients))
      for (const peer of host.peers()) host.send(peer, frame)
    }
    awareness?.on('update', onAwareness)
    this.offAwareness = () => awareness?.off('update', onAwareness)
    this.answers = new SyncAnswerLimiter(host.clock, host.syncAnswerIntervalMs ?? SYNC_ANSWER_INTERVAL_MS, (peer, sv) => this.answerStep1(peer, sv))
    this.join = new JoinSource(host.clock, host.joinSourceTimeoutMs ?? 3000, (peer) => {
      this.host.send(peer, syncFrame((e) => syncProtocol.writeSyncStep1(e, this.doc)))
    })
    this.scheduleAntiEntropy()
  }

  private scheduleAntiEntropy(): void {
    const { antiEntropyMs, clock, random } = this.host
    if (antiEntropyMs <= 0) return
    // Jitter keeps peers that started together from gossiping in lockstep.
    this.antiEntropyTimer = clock.setTimeout(() => {
      const peers = [...this.host.peers()]
      const partner = peers[Math.floor(random.next() * peers.length)]
      if (partner !== undefined) this.host.send(partner, digestFrame(this.digest(), false))
      this.scheduleAntiEntropy()
    }, antiEntropyMs * (0.75 + random.next() / 2))
  }

  /** Handles the payload of a `Digest` frame. Never throws. */
  handleDigest(from: PeerId, payload: Uint8Array): void {
    let digest: number
    let reply: boolean
    try {
      const decoder = decoding.createDecoder(payload)
      digest = decoding.readUint32(decoder)
      reply = decoding.readUint8(decoder) === 1
      if (decoding.hasContent(decoder) || decoder.pos > payload.byteLength) throw new RangeError('bad length')
    } catch (cause) {
      this.host.reportError(new FrameError(FrameErrorCode.Malformed, 'malformed digest message', { cause }), from)
      return
    }
    if (digest === this.digest()) return
    this.repairs++
    this.requestSync(from)
    if (!reply) this.host.send(from, digestFrame(this.digest(), true))
  }

  /** Digest of the document's state vector and delete set; cached until the next update. */
  digest(): number {
    this.digestCache ??= stateDigest(this.doc)
    return this.digestCache
  }

  /** Starts a sync with `peer` (sends our state vector and, with awareness, our presence). */
  peerJoined(peer: PeerId): void {
    this.requestSync(peer)
    const awareness = this.awareness
    if (awareness !== undefined && awareness.getLocalState() !== null) {
      this.host.send(peer, encodeEnvelope(MessageType.Awareness, awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID])))
    }
  }

  /** Forgets `peer`'s presence at once (our failure detector is faster than awareness' 30 s). */
  peerLeft(peer: PeerId): void {
    this.synced.delete(peer)
    this.answers.forget(peer)
    this.join.left(peer)
    const clients = this.awarenessClients.get(peer)
    this.awarenessClients.delete(peer)
    if (this.awareness !== undefined && clients !== undefined && clients.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...clients], this.remoteOrigin)
    }
  }

  /** The peer asked for the whole document while this peer's first sync runs (for tests and status). */
  joinSource(): PeerId | undefined {
    return this.join.asked
  }

  /**
   * Sends sync step 1 to `peer`; it answers with what we lack. During the first sync only one
   * peer is asked; the others are asked once it answered (see {@link JoinSource}).
   */
  requestSync(peer: PeerId): void {
    this.join.request(peer)
  }

  /** Handles the payload of a `Sync` frame. Never throws. */
  handleSync(from: PeerId, payload: Uint8Array): void {
    const decoder = decoding.createDecoder(payload)
    let kind: number
    let body: Uint8Array
    try {
      kind = decoding.readVarUint(decoder)
      body = decoding.readVarUint8Array(decoder)
    } catch (cause) {
      this.host.reportError(new FrameError(FrameErrorCode.Truncated, 'sync message ends early', { cause }), from)
      return
    }
    if (decoding.hasContent(decoder)) {
      this.host.reportError(new FrameError(FrameErrorCode.Malformed, 'sync message has trailing bytes'), from)
      return
    }
    switch (kind) {
      case syncProtocol.messageYjsSyncStep1:
        this.answers.request(from, body)
        return
      case syncProtocol.messageYjsSyncStep2:
        // Their answer to our state vector: we hold everything they had then.
        if (this.applyRemoteUpdate(from, body) && !this.synced.has(from)) {
          this.synced.add(from)
          for (const l of this.syncedListeners) l(from)
        }
        this.join.answered(from)
        return
      case syncProtocol.messageYjsUpdate:
        this.applyRemoteUpdate(from, body)
        return
      default:
        this.host.reportError(new FrameError(FrameErrorCode.UnknownType, `unknown sync message kind ${kind}`), from)
    }
  }

  private answerStep1(from: PeerId, stateVector: Uint8Array): void {
    let update: Uint8Array
    try {
      update = Y.encodeStateAsUpdate(this.doc, stateVector)
    } catch (cause) {
      this.host.reportError(new FrameError(FrameErrorCode.Malformed, 'sync step 1 carries a malformed state vector', { cause }), from)
      return
    }
    this.host.send(from, syncFrame((e) => {
      encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2)
      encoding.writeVarUint8Array(e, update)
    }))
  }

  /** Validates and applies a Yjs update that came from `from`. Returns false if it was rejected. */
  applyRemoteUpdate(from: PeerId, update: Uint8Array): boolean {
    let refused: string | null
    try {
      refused = refuseUpdate(update)
    } catch (cause) {
      this.host.reportError(new FrameError(FrameErrorCode.BadUpdate, 'malformed Yjs update', { cause }), from)
      return false
    }
    if (refused !== null) {
      this.host.reportError(new FrameError(FrameErrorCode.BadUpdate, `Yjs update refused: ${refused}`), from)
      return false
    }
    try {
      Y.applyUpdate(this.doc, update, this.remoteOrigin)
      return true
    } catch (cause) {
      // Defence in depth: keep the document alive even if Yjs failed inside its cleanup.
      unwedge(this.doc)
      this.digestCache = undefined
      this.host.reportError(new FrameError(FrameErrorCode.BadUpdate, 'Yjs update could not be applied', { cause }), from)
      return false
    }
  }

  /** Handles the payload of an `Awareness` frame. Never throws. */
  handleAwareness(from: PeerId, payload: Uint8Array): void {
    if (this.awareness === undefined) return
    let clients: number[]
    try {
      clients = readAwarenessClients(payload)
    } catch (cause) {
      this.host.reportError(new FrameError(FrameErrorCode.Malformed, 'malformed awareness update', { cause }), from)
      return
    }
    let known = this.awarenessClients.get(from)
    if (known === undefined) this.awarenessClients.set(from, (known = new Set()))
    for (const c of clients) known.add(c)
    awarenessProtocol.applyAwarenessUpdate(this.awareness, payload, this.remoteOrigin)
  }

  /** Stops listening to the document. */
  /** True once `peer` answered our sync step 1 since it last joined (we have its history). */
  hasSyncedWith(peer: PeerId): boolean {
    return this.synced.has(peer)
  }

  /** Calls `listener` when a peer's sync step 2 was applied; returns the unsubscribe function. */
  onSynced(listener: (peer: PeerId) => void): () => void {
    this.syncedListeners.add(listener)
    return () => this.syncedListeners.delete(listener)
  }

  destroy(): void {
    this.syncedListeners.clear()
    if (this.antiEntropyTimer !== undefined) this.host.clock.clearTimeout(this.antiEntropyTimer)
    this.answers.destroy()
    this.join.destroy()
    this.offDoc()
    this.offAwareness()
  }
}

function digestFrame(digest: number, reply: boolean): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint32(encoder, digest)
  encoding.writeUint8(encoder, reply ? 1 : 0)
  return encodeEnvelope(MessageType.Digest, encoding.toUint8Array(encoder))
}

function syncFrame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encodeEnvelope(MessageType.Sync, encoding.toUint8Array(encoder))
}

/** Reads an awareness update completely (a dry run), so a bad one is refused before it is applied. */
function readAwarenessClients(payload: Uint8Array): number[] {
  const decoder = decoding.createDecoder(payload)
  const n = decoding.readVarUint(decoder)
  if (n > payload.byteLength) throw new RangeError('awareness update claims too many entries')
  const clients: number[] = []
  for (let i = 0; i < n; i++) {
    clients.push(decoding.readVarUint(decoder))
    decoding.readVarUint(decoder)
    const json: unknown = JSON.parse(decoding.readVarString(decoder))
    if (json !== null && typeof json !== 'object') throw new TypeError('awareness state must be an object or null')
  }
  if (decoding.hasContent(decoder) || decoder.pos > payload.byteLength) throw new RangeError('awareness update has bad length')
  return clients
}
