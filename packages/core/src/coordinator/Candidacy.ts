import type { PeerId } from '../ids/ids.js'
import {
  encodeCatchUpRequest, encodeVoteRequest, type CatchUpReply, type TermRef, type VoteReply
} from '../protocol/coordinatorMessages.js'
import type { DocSync } from '../sync/DocSync.js'
import * as YSV from '../sync/stateVector.js'
import type { AppDoc } from './AppDoc.js'
import { isMajority } from './Quorum.js'
import { sameTerm } from './Term.js'

/** What a {@link Candidacy} needs from the coordinator. */
export interface CandidacyHost {
  readonly self: PeerId
  readonly app: AppDoc
  readonly sync: DocSync
  send(to: PeerId, frame: Uint8Array): void
}

/**
 * One attempt of a peer to become coordinator. In availability mode it asks every reachable
 * peer for what it lacks (catch-up) and is ready when all answered (or, by the coordinator's
 * timer, when time is up). In quorum mode it asks for votes on a proposed term, each vote
 * carrying what the candidate lacks, and is ready once a majority of the eligible peers voted
 * for it: that majority overlaps every majority that held an earlier decision, so none is lost.
 */
export class Candidacy {
  private readonly waiting: Set<PeerId>
  private readonly votes = new Set<PeerId>()
  private frame: Uint8Array | undefined
  private replies = 0

  /**
   * @param proposed The term voted on (quorum mode), or null for a catch-up (availability mode).
   */
  constructor(
    private readonly host: CandidacyHost,
    readonly nonce: number,
    targets: Iterable<PeerId>,
    readonly proposed: TermRef | null
  ) {
    this.waiting = new Set(targets)
    this.votes.add(host.self)
  }

  /** Sends the requests; `silentMs`: how long this peer has not heard a coordinator itself. */
  start(silentMs: number): void {
    const stateVector = YSV.encode(this.host.app.doc)
    const frame = this.proposed === null
      ? encodeCatchUpRequest({ nonce: this.nonce, stateVector, silentMs })
      : encodeVoteRequest({ ...this.proposed, stateVector })
    this.frame = frame
    for (const p of this.waiting) this.host.send(p, frame)
  }

  /** Sends the request again to the peers that have not answered (a frame may have been lost); returns how many. */
  resend(): number {
    const frame = this.frame
    if (frame === undefined) return 0
    for (const p of this.waiting) this.host.send(p, frame)
    return this.waiting.size
  }

  /** Forgets a peer that left: it will not answer. Returns {@link Candidacy.ready}. */
  peerLeft(peer: PeerId): boolean {
    this.waiting.delete(peer)
    return this.ready()
  }

  /** True when the candidate may claim now. */
  ready(): boolean {
    if (this.proposed === null) return this.waiting.size === 0
    return isMajority(this.votes, this.host.app.members())
  }

  /** A catch-up reply arrived; returns {@link Candidacy.ready}. */
  onCatchUpReply(from: PeerId, reply: CatchUpReply): boolean {
    if (this.proposed !== null || reply.nonce !== this.nonce) return false
    if (this.waiting.delete(from)) this.replies++
    return this.ready()
  }

  /** How many of the asked peers answered so far. */
  get answered(): number {
    return this.replies
  }

  /** A vote arrived (its update is applied by the caller); returns {@link Candidacy.ready}. */
  onVoteReply(from: PeerId, reply: VoteReply): boolean {
    if (this.proposed === null || !sameTerm(reply, this.proposed)) return false
    if (this.waiting.delete(from)) this.replies++
    if (reply.granted) this.votes.add(from)
    return this.ready()
  }
}
