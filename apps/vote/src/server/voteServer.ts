import type { Json, JsonObject, Server, ServerHandler } from '@sship/core'
import { MAX_OPTION, MAX_OPTIONS, MAX_QUESTION, readVoteState, tally, type VoteState } from '../poll/poll.js'

/** The app's name on the network (the sship app, the mDNS service's `app=`, the signaling room). */
export const VOTE_APP = 'sship-vote'
/** The server code's version: peers with another version are never eligible. */
export const VOTE_CODE_VERSION = '1'
/** Failure-detector timing of every vote peer (browsers stall now and then; see the queue's README). */
export const VOTE_TIMING = { heartbeatMs: 100, suspectMs: 1000 } as const

/** Requests the server code understands. */
export type VoteRequest =
  | { readonly op: 'open'; readonly poll: string; readonly question: string; readonly options: readonly string[]; readonly by: string }
  | { readonly op: 'vote'; readonly poll: string; readonly voter: string; readonly option: number }
  | { readonly op: 'close'; readonly poll: string; readonly by: string }

/** The server's answer to a request. */
export type VoteReply =
  | { readonly ok: true; readonly result?: readonly number[] }
  | { readonly ok: false; readonly reason: 'bad-request' | 'exists' | 'no-poll' | 'closed' | 'already-voted' | 'already-closed'; readonly option?: number; readonly result?: readonly number[] }

const text = (v: unknown, max: number): string | undefined => typeof v === 'string' && v.trim().length > 0 && v.length <= max ? v.trim() : undefined
const ID = /^[A-Za-z0-9_-]{1,64}$/

/** Parses a request; undefined if it is not one. */
export function parseVoteRequest(msg: Json): VoteRequest | undefined {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return undefined
  const poll = typeof msg.poll === 'string' && ID.test(msg.poll) ? msg.poll : undefined
  if (poll === undefined) return undefined
  if (msg.op === 'open') {
    const question = text(msg.question, MAX_QUESTION)
    const by = text(msg.by, 60)
    const options = Array.isArray(msg.options) ? msg.options.map((o) => text(o, MAX_OPTION)) : []
    if (question === undefined || by === undefined || options.length < 2 || options.length > MAX_OPTIONS || options.some((o) => o === undefined)) return undefined
    return { op: 'open', poll, question, options: options as string[], by }
  }
  if (msg.op === 'vote') {
    const voter = typeof msg.voter === 'string' && ID.test(msg.voter) ? msg.voter : undefined
    if (voter === undefined || !Number.isInteger(msg.option) || (msg.option as number) < 0 || (msg.option as number) >= MAX_OPTIONS) return undefined
    return { op: 'vote', poll, voter, option: msg.option as number }
  }
  if (msg.op === 'close') {
    const by = text(msg.by, 60)
    return by === undefined ? undefined : { op: 'close', poll, by }
  }
  return undefined
}

/**
 * Decides one request against the server state (pure): the reply, and the state change to
 * commit with the decision. The checks that do not commute live here — one vote per voter, no
 * vote after the close, the close happens once and freezes the result — so they are decided by
 * whichever peer holds the server role, once per request, across failovers.
 */
export function decideVote(state: VoteState, request: VoteRequest): { reply: VoteReply; change?: JsonObject } {
  const poll = state.polls[request.poll]
  switch (request.op) {
    case 'open': {
      if (poll !== undefined) return { reply: { ok: false, reason: 'exists' } }
      const record = { question: request.question, options: [...request.options], by: request.by, status: 'open' }
      return { reply: { ok: true }, change: { polls: { [request.poll]: record }, current: request.poll } }
    }
    case 'vote': {
      if (poll === undefined) return { reply: { ok: false, reason: 'no-poll' } }
      if (poll.status === 'closed') return { reply: { ok: false, reason: 'closed' } }
      if (request.option >= poll.options.length) return { reply: { ok: false, reason: 'bad-request' } }
      const earlier = state.votes[poll.id]?.[request.voter]
      if (earlier !== undefined) return { reply: { ok: false, reason: 'already-voted', option: earlier } }
      return { reply: { ok: true }, change: { votes: { [poll.id]: { [request.voter]: request.option } } } }
    }
    case 'close': {
      if (poll === undefined) return { reply: { ok: false, reason: 'no-poll' } }
      if (poll.status === 'closed') return { reply: { ok: false, reason: 'already-closed', result: tally(state, poll) } }
      const result = tally(state, poll)
      return { reply: { ok: true, result }, change: { polls: { [poll.id]: { status: 'closed', result } } } }
    }
  }
}

/**
 * The vote app's server code, shared by the Node host and every browser (all are eligible). It
 * runs only on whichever peer is the server, once per request, and its state change is recorded
 * in the same transaction as the decision.
 */
export function voteServer(server: Server): ServerHandler {
  return (msg) => {
    const request = parseVoteRequest(msg)
    if (request === undefined) return { ok: false, reason: 'bad-request' } satisfies VoteReply
    const { reply, change } = decideVote(readVoteState(server.getState()), request)
    if (change !== undefined) server.commitChange(change)
    return reply as unknown as Json
  }
}

/** Reads a reply of the server code (undefined if `json` is not one). */
export function asVoteReply(json: Json | undefined): VoteReply | undefined {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && typeof json.ok === 'boolean' ? (json as unknown as VoteReply) : undefined
}
