import { describe, expect, it } from 'vitest'
import { readVoteState, tally } from '../src/poll/poll.js'
import { decideVote, parseVoteRequest, type VoteRequest } from '../src/server/voteServer.js'
import { mergePatch, type JsonObject } from '@sship/core'

/** Applies requests one after another as the server would; returns the replies and the final state. */
function run(requests: readonly VoteRequest[]): { replies: unknown[]; state: JsonObject } {
  let state: JsonObject = {}
  const replies = requests.map((request) => {
    const { reply, change } = decideVote(readVoteState(state), request)
    if (change !== undefined) state = mergePatch(state, change) as JsonObject
    return reply
  })
  return { replies, state }
}

const open: VoteRequest = { op: 'open', poll: 'p1', question: 'Best loop?', options: ['for', 'while', 'map'], by: 'Ms T' }

describe('decideVote', () => {
  it('one vote per voter, no vote after the close, the close happens once and freezes the result', () => {
    const { replies, state } = run([
      open,
      { op: 'vote', poll: 'p1', voter: 'v1', option: 0 },
      { op: 'vote', poll: 'p1', voter: 'v2', option: 2 },
      { op: 'vote', poll: 'p1', voter: 'v1', option: 1 },
      { op: 'close', poll: 'p1', by: 'Ms T' },
      { op: 'vote', poll: 'p1', voter: 'v3', option: 1 },
      { op: 'close', poll: 'p1', by: 'Ms T' },
      open
    ])
    expect(replies).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, reason: 'already-voted', option: 0 },
      { ok: true, result: [1, 0, 1] },
      { ok: false, reason: 'closed' },
      { ok: false, reason: 'already-closed', result: [1, 0, 1] },
      { ok: false, reason: 'exists' }
    ])
    const vs = readVoteState(state)
    const poll = vs.polls.p1
    expect(poll?.status).toBe('closed')
    expect(vs.current).toBe('p1')
    if (poll !== undefined) expect(tally(vs, poll)).toEqual([1, 0, 1])
  })

  it('refuses votes for unknown polls and options out of range', () => {
    const { replies } = run([{ op: 'vote', poll: 'nope', voter: 'v1', option: 0 }, open, { op: 'vote', poll: 'p1', voter: 'v1', option: 5 }])
    expect(replies).toEqual([{ ok: false, reason: 'no-poll' }, { ok: true }, { ok: false, reason: 'bad-request' }])
  })
})

describe('parseVoteRequest', () => {
  it('accepts the three requests and rejects junk', () => {
    expect(parseVoteRequest({ op: 'open', poll: 'p', question: ' Q ', options: ['a', 'b'], by: 'T' })).toEqual({ op: 'open', poll: 'p', question: 'Q', options: ['a', 'b'], by: 'T' })
    expect(parseVoteRequest({ op: 'vote', poll: 'p', voter: 'v-1', option: 1 })).toEqual({ op: 'vote', poll: 'p', voter: 'v-1', option: 1 })
    expect(parseVoteRequest({ op: 'close', poll: 'p', by: 'T' })).toEqual({ op: 'close', poll: 'p', by: 'T' })
    for (const junk of [null, 1, 'x', [], { op: 'open', poll: 'p', question: 'Q', options: ['only one'], by: 'T' }, { op: 'vote', poll: 'p', voter: 'v', option: 1.5 },
      { op: 'vote', poll: 'bad id!', voter: 'v', option: 0 }, { op: 'close', poll: 'p' }, { op: 'other', poll: 'p' }]) {
      expect(parseVoteRequest(junk as never)).toBeUndefined()
    }
  })
})
