import { useSharedState } from '@sship/react'
import { readVoteState, tally, type Poll, type VoteState } from '../poll/poll.js'

/** The newest poll and its votes per option (live until it closes, then the frozen result). */
export interface CurrentPoll {
  readonly state: VoteState
  readonly poll: Poll | undefined
  readonly counts: readonly number[]
}

/** The current poll from the server state (re-renders when the state changes). */
export function usePoll(): CurrentPoll {
  const state = readVoteState(useSharedState())
  const poll = state.current === undefined ? undefined : state.polls[state.current]
  return { state, poll, counts: poll === undefined ? [] : tally(state, poll) }
}
