import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { systemClock, type Clock } from '../clock/Clock.js'
import { AppDoc } from '../coordinator/AppDoc.js'
import { Coordinator } from '../coordinator/Coordinator.js'
import { LOCAL_ORIGIN } from '../coordinator/CoordinatorBase.js'
import { Ledger } from '../coordinator/Ledger.js'
import { Membership } from '../coordinator/membership/Membership.js'
import { DEFAULT_CHECKPOINT_EVERY } from '../coordinator/checkpoint/Checkpoint.js'
import { resolveTiming, type TimingOptions } from '../coordinator/timing.js'
import { ConfigError, FrameError, FrameErrorCode, SshipError, StoppedError } from '../errors/errors.js'
import { EntryAuthority } from '../identity/EntryAuthority.js'
import { EntrySigner } from '../identity/EntrySigner.js'
import type { PeerIdentity } from '../identity/PeerIdentity.js'
import type { PeerId } from '../ids/ids.js'
import * as messages from '../protocol/coordinatorMessages.js'
import { DEFAULT_MAX_FRAME_BYTES, decodeEnvelope, type DecodeResult } from '../protocol/envelope.js'
import { MessageType } from '../protocol/MessageType.js'
import { cryptoRandom, randomUint32, type Random } from '../random/Random.js'
import { DocSync } from '../sync/DocSync.js'
import { combineTransports, type TransportOption } from '../transport/CombinedTransport.js'
import type { Transport } from '../transport/Transport.js'
import { PeerStats } from './PeerStats.js'
import { lib0Logger, logEvents, type SshipLogger } from './eventLog.js'
import { PeerEvents } from './PeerEvents.js'
import type { SshipEvent } from './SshipEvent.js'

/** Options of a {@link Peer}, shared by `initServer` and `connect`. */
export interface PeerOptions {
  /**
   * How this peer reaches the others (required: core ships no concrete transport). Several
   * transports are combined: a peer reachable through two of them joins once and leaves once.
   */
  readonly transport: TransportOption
  /** Time source; defaults to the system clock. Tests pass a `VirtualClock`. */
  readonly clock?: Clock
  /** Randomness for ids; defaults to WebCrypto. Tests pass `seededRandom(seed)`. */
  readonly random?: Random
  /** An existing document to replicate (e.g. one restored from storage). */
  readonly doc?: Y.Doc
  /** Also replicate y-protocols awareness (presence). Default false. */
  readonly awareness?: boolean
  /** Largest frame accepted or sent. Default 16 MiB. */
  readonly maxFrameBytes?: number
  /** Failure-detector and role timing. */
  readonly timing?: Partial<TimingOptions>
  /** Take over when the coordinator dies. Default true; false gives the single-host baseline. */
  readonly failover?: boolean
  /**
   * Let a preferred peer take the role back after the hold-down: the initial host, and peers
   * marked {@link PeerOptions.stable}. Default true.
   */
  readonly failback?: boolean
  /**
   * Marks this peer stable (a Node host, `sship join`): like the initial host, it takes the role
   * back from a peer behind it in the successorship list once it has been reachable for a
   * hold-down. Leave it false for browsers and phones: one that sleeps and wakes would otherwise
   * pull the role around the room. Default false.
   */
  readonly stable?: boolean
  /**
   * `'availability'` (default): every side of a partition may run a coordinator; conflicts are
   * resolved when it heals. `'quorum'`: only a side with a majority of the eligible peers may
   * elect and keep one, and replies are reported only once a majority holds the decision, so
   * nothing is ever decided twice; a minority side waits.
   */
  readonly mode?: 'availability' | 'quorum'
  /**
   * How many decisions the coordinator writes between two checkpoints (the folded server state
   * and the requests decided so far) at most; a checkpoint also follows once the history since
   * the last one is about 48 KiB, or twice the state if that is larger. History behind a
   * checkpoint every member holds (quorum: a majority) is deleted from the document, so it stays
   * bounded all semester. 0 turns checkpoints off. Default 1000. See docs/history.md.
   */
  readonly checkpointEvery?: number
  /** Interval of anti-entropy rounds (digest gossip with one random peer); 0 turns them off. Default 1000. */
  readonly antiEntropyMs?: number
  /**
   * This peer's key pair (off by default). With it, terms and decisions are signed by their
   * leader and replicas count only those whose signature verifies under the key whose
   * fingerprint is in the leader's GUID; `transport.localPeer` must be `identity.id`. Every
   * peer of an app must turn it on (unsigned terms are ignored). See docs/security.md.
   */
  readonly identity?: PeerIdentity
  /** Called for every dropped frame or other error; the peer keeps running. */
  readonly onError?: (error: SshipError, from: PeerId | undefined) => void
  /**
   * Where this peer's events go as log lines (one per event). Default: lib0/logging, silent
   * unless `LOG` (Node) or `localStorage.log` (browsers) matches, e.g. `LOG=sship:coordinator`.
   * `false` turns logging off.
   */
  readonly logger?: SshipLogger | false
}

/**
 * One device's participation in one app: its replica of the app's `Y.Doc`, kept in sync with
 * every reachable peer, and its coordinator. `initServer` and `connect` build on a Peer; use
 * `connect(name, { peer: server.peer })` to be both on one device.
 */
export class Peer {
  /** This peer's GUID. */
  readonly self: PeerId
  /** The app's replicated document. */
  readonly doc: Y.Doc
  /** Typed access to the document's layout. */
  readonly app: AppDoc
  /** The replication engine. */
  readonly sync: DocSync
  /** The canonical decisions and the server state. */
  readonly ledger: Ledger
  /** The successorship coordinator. */
  readonly coordinator: Coordinator
  /** Who is a member of the successorship list now (retired peers left out). */
  readonly membership: Membership
  /** Presence, when enabled. */
  readonly awareness: Awareness | undefined
  /** Counters of frames, bytes and errors. */
  readonly stats = new PeerStats()
  /** The clock this peer runs on. */
  readonly clock: Clock
  /** The randomness this peer draws ids from. */
  readonly random: Random
  /** With `identity`: which terms and decisions count, and how many were rejected, by code. */
  readonly authority: EntryAuthority | undefined
  private readonly signer: EntrySigner | undefined
  private readonly maxFrameBytes: number
  private readonly link: Transport
  private readonly errorListeners = new Set<(error: SshipError, from: PeerId | undefined) => void>()
  private readonly events: PeerEvents
  private stopped = false

  /**
   * @param name The app's name.
   * @param code This peer's server-code identity (from `initServer`), or undefined for a client.
   */
  constructor(readonly name: string, private readonly options: PeerOptions, readonly code?: string) {
    const transport = combineTransports(options.transport)
    this.link = transport
    this.self = transport.localPeer
    const identity = options.identity
    if (identity !== undefined && identity.id !== this.self) {
      throw new ConfigError(`the transport's peer id ${this.self} is not identity.id ${identity.id}: create the transport with identity.id`)
    }
    this.clock = options.clock ?? systemClock
    this.random = options.random ?? cryptoRandom
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.doc = options.doc ?? new Y.Doc({ gc: true })
    if (options.doc === undefined) this.doc.clientID = randomUint32(this.random)
    if (options.onError !== undefined) this.errorListeners.add(options.onError)
    this.app = new AppDoc(this.doc)
    this.awareness = options.awareness === true ? createAwareness(this.doc) : undefined
    this.sync = new DocSync(this.doc, {
      send: (to, frame) => this.send(to, frame),
      peers: () => transport.peers(),
      reportError: (error, from) => this.report(error, from),
      clock: this.clock,
      random: this.random,
      antiEntropyMs: options.antiEntropyMs ?? 1000
    }, this.awareness)
    this.authority = identity === undefined ? undefined : new EntryAuthority({
      name, app: this.app, verifier: identity.verifier, report: (error) => this.report(error, undefined),
      onSettled: (key) => {
        if (!this.stopped) this.guard(this.self, () => this.ledger.reverify(key))
      }
    })
    this.signer = identity === undefined || this.authority === undefined ? undefined : new EntrySigner({
      name, app: this.app, identity, authority: this.authority, origin: LOCAL_ORIGIN, report: (error) => this.report(error, undefined)
    })
    this.ledger = new Ledger(this.app, this.authority)
    this.membership = new Membership(this.app, this.ledger)
    this.app.membersOf = () => this.membership.members()
    this.coordinator = new Coordinator({
      self: this.self,
      clock: this.clock,
      random: this.random,
      app: this.app,
      ledger: this.ledger,
      sync: this.sync,
      timing: resolveTiming(options.timing),
      code,
      failover: options.failover ?? true,
      failback: (options.failback ?? true) && (options.failover ?? true),
      stable: options.stable ?? false,
      quorum: options.mode === 'quorum',
      checkpointEvery: checkpointEvery(options.checkpointEvery),
      send: (to, frame) => this.send(to, frame),
      peers: () => transport.peers(),
      closesOnCrash: transport.closesOnCrash === true,
      report: (error, from) => this.report(error, from),
      membership: this.membership,
      ...(this.signer !== undefined ? { signer: this.signer } : {})
    })
    this.events = new PeerEvents({
      self: this.self, clock: this.clock, restored: this.ledger.maxEpoch() > 0,
      getSnapshot: () => this.coordinator.getSnapshot(),
      subscribe: (l) => this.coordinator.subscribe(l),
      onCoordinatorEvent: (l) => this.coordinator.onEvent(l),
      hasSyncedWith: (peer) => this.sync.hasSyncedWith(peer),
      onSynced: (l) => this.sync.onSynced(l),
      linked: () => transport.peers()
    })
    const offConflicts = this.ledger.listen({
      conflict: (request, _decision, fenced) => this.events.emit({ type: 'conflict', at: this.clock.now(), request, fenced })
    })
    this.events.onEvent((e) => {
      if (e.type === 'stopped') offConflicts()
    })
    if (options.logger !== false) logEvents((l) => this.events.onEvent(l), options.logger ?? lib0Logger)
    transport.connect({
      peerJoined: (peer) => this.guard(peer, () => {
        this.sync.peerJoined(peer)
        this.events.linkUp(peer)
      }),
      peerLeft: (peer, reason) => this.guard(peer, () => {
        this.coordinator.onPeerLeft(peer, reason)
        this.events.linkDown(peer)
      }),
      frame: (from, data) => this.onFrame(from, data),
      refused: (peer, code) => this.events.refused(peer, code)
    })
  }

  /** The transport this peer uses. */
  get transport(): Transport {
    return this.link
  }

  /** True once {@link Peer.stop} was called. */
  get isStopped(): boolean {
    return this.stopped
  }

  /**
   * Observes this peer's events — readiness, server changes (failover, failback…), its own role,
   * links up, down and refused, stop — one typed value each; returns the unsubscribe function.
   */
  onEvent(listener: (event: SshipEvent) => void): () => void {
    return this.events.onEvent(listener)
  }

  /**
   * Resolves once this peer is linked to the server and holds its history (or is the server
   * itself); at once if it is now. Rejects with `StoppedError` if the peer stops first.
   */
  whenReady(): Promise<void> {
    return this.events.whenReady()
  }

  /** True now if {@link Peer.whenReady} would resolve at once. */
  isReady(): boolean {
    return this.events.isReady()
  }

  /** Observes errors (dropped frames and the like); returns the unsubscribe function. */
  onError(listener: (error: SshipError, from: PeerId | undefined) => void): () => void {
    this.errorListeners.add(listener)
    return () => this.errorListeners.delete(listener)
  }

  /** With `identity`: signs this peer's request `id` (call inside the transaction that stores `record`). */
  signRequest(id: string, record: unknown): void {
    this.signer?.request(id, record)
  }

  /** Throws {@link StoppedError} if the peer was stopped. */
  assertRunning(): void {
    if (this.stopped) throw new StoppedError()
  }

  /**
   * Leaves the app for good: this peer takes itself off the successorship list (as coordinator
   * it retires itself through a decision; otherwise it marks itself leaving and the coordinator
   * retires it at once), then stops once the others took it off the list (as this replica sees
   * it) or after `maxWaitMs`, so the change can reach them. A peer that comes back later joins
   * again at the end of the list. Use {@link Peer.stop} for a restart that keeps the place.
   */
  leave(maxWaitMs = 10 * resolveTiming(this.options.timing).heartbeatMs): void {
    if (this.stopped) return
    const { heartbeatMs } = resolveTiming(this.options.timing)
    const g = this.membership.liveGeneration(this.self)
    if (g === undefined || this.code === undefined || this.app.initialHost() === this.self) return this.stop()
    const retiredNow = this.coordinator.currentRole() === 'leader' && this.coordinator.retire({ id: this.self, g })
    if (!retiredNow) this.doc.transact(() => this.app.leaving.set(this.self, { g }), LOCAL_ORIGIN)
    const until = this.clock.now() + maxWaitMs
    const check = (): void => {
      if (this.stopped) return
      // Stay until the retirement is decided (in quorum mode a member that vanished before it is
      // removed would count against the majority), then one more heartbeat for it to spread.
      if (!this.membership.members().includes(this.self) || this.clock.now() >= until) {
        this.clock.setTimeout(() => this.stop(), heartbeatMs)
        return
      }
      this.clock.setTimeout(check, heartbeatMs)
    }
    check()
  }

  /** Leaves the app: timers stop and the transport closes (peers are told where the medium allows). */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.membership.destroy()
    this.coordinator.stop()
    this.events.stop()
    this.signer?.stop()
    this.sync.destroy()
    this.ledger.destroy()
    this.awareness?.destroy()
    this.link.close()
  }

  private send(to: PeerId, frame: Uint8Array): void {
    if (this.stopped) return
    if (frame.byteLength > this.maxFrameBytes) {
      this.report(new FrameError(FrameErrorCode.Oversized, `outgoing frame of ${frame.byteLength} bytes exceeds maxFrameBytes`), to)
      return
    }
    this.stats.sent(frame)
    this.link.send(to, frame)
  }

  private onFrame(from: PeerId, data: Uint8Array): void {
    if (this.stopped) return
    this.stats.received(data)
    const env = decodeEnvelope(data, this.maxFrameBytes)
    if (!env.ok) {
      this.report(env.error, from)
      return
    }
    const { type, payload } = env.value
    this.stats.receivedType(type, data.byteLength)
    const c = this.coordinator
    this.guard(from, () => {
      switch (type) {
        case MessageType.Sync: return this.sync.handleSync(from, payload)
        case MessageType.Awareness: return this.sync.handleAwareness(from, payload)
        case MessageType.Heartbeat: return this.with(from, messages.decodeHeartbeat(payload), (m) => c.onHeartbeat(from, m))
        case MessageType.HeartbeatAck: return this.with(from, messages.decodeHeartbeatAck(payload), (m) => c.onHeartbeatAck(from, m))
        case MessageType.View: return this.with(from, messages.decodeView(payload), (m) => c.onView(from, m))
        case MessageType.CatchUpRequest: return this.with(from, messages.decodeCatchUpRequest(payload), (m) => c.onCatchUpRequest(from, m))
        case MessageType.CatchUpReply: return this.with(from, messages.decodeCatchUpReply(payload), (m) => c.onCatchUpReply(from, m))
        case MessageType.HandoffRequest: return this.with(from, messages.decodeHandoffRequest(payload), (m) => c.onHandoffRequest(from, m))
        case MessageType.Handoff: return this.with(from, messages.decodeHandoff(payload), (m) => c.onHandoff(from, m))
        case MessageType.Digest: return this.sync.handleDigest(from, payload)
        case MessageType.VoteRequest: return this.with(from, messages.decodeVoteRequest(payload), (m) => c.onVoteRequest(from, m))
        case MessageType.VoteReply: return this.with(from, messages.decodeVoteReply(payload), (m) => c.onVoteReply(from, m))
      }
    })
  }

  private with<T>(from: PeerId, decoded: DecodeResult<T>, handle: (m: T) => void): void {
    if (decoded.ok) handle(decoded.value)
    else this.report(decoded.error, from)
  }

  /** Runs a handler; an exception is a bug, reported as an error instead of escaping into the transport. */
  private guard(from: PeerId, fn: () => void): void {
    try {
      fn()
    } catch (cause) {
      this.report(new SshipError('internal', `internal error while handling a frame: ${String(cause)}`, { cause }), from)
    }
  }

  private report(error: SshipError, from: PeerId | undefined): void {
    this.stats.error(error.code)
    for (const l of this.errorListeners) {
      try {
        l(error, from)
      } catch {
        // An app's error listener must not take the peer down.
      }
    }
  }
}

function createAwareness(doc: Y.Doc): Awareness {
  const awareness = new Awareness(doc)
  // Our failure detector removes dead peers' presence; y-protocols' 30 s check runs on real timers.
  clearInterval((awareness as unknown as { _checkInterval: ReturnType<typeof setInterval> })._checkInterval)
  return awareness
}

/** Validates {@link PeerOptions.checkpointEvery}; throws {@link ConfigError} with the fix. */
function checkpointEvery(value: number | undefined): number {
  if (value === undefined) return DEFAULT_CHECKPOINT_EVERY
  if (!Number.isSafeInteger(value) || value < 0 || (value > 0 && value < 2)) {
    throw new ConfigError(`checkpointEvery must be 0 (off) or a whole number of decisions ≥ 2, got ${value}`)
  }
  return value
}
