import type { JsonObject } from '@sship/core'

/** Longest question, in characters. */
export const MAX_QUESTION = 200
/** Longest option label, in characters. */
export const MAX_OPTION = 80
/** Most options a poll may have. */
export const MAX_OPTIONS = 8

/** One poll as the server state keeps it (`polls.<id>`). */
export interface Poll {
  readonly id: string
  readonly question: string
  readonly options: readonly string[]
  /** The teacher's name. */
  readonly by: string
  readonly status: 'open' | 'closed'
  /** Votes per option, frozen when the poll closed (absent while it is open). */
  readonly result?: readonly number[]
}

/**
 * The server state of the vote app (changed only by the server code, as JSON merge patches):
 *
 * - `polls.<id>` → {@link Poll}
 * - `current` → the id of the newest poll (open or closed), or absent
 * - `votes.<pollId>.<voter>` → the option index that voter chose (one per voter, never changed)
 */
export interface VoteState {
  readonly polls: Readonly<Record<string, Poll>>
  readonly current: string | undefined
  readonly votes: Readonly<Record<string, Readonly<Record<string, number>>>>
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function parsePoll(id: string, v: unknown): Poll | undefined {
  if (!isRecord(v)) return undefined
  const { question, options, by, status, result } = v
  if (typeof question !== 'string' || typeof by !== 'string' || (status !== 'open' && status !== 'closed')) return undefined
  if (!Array.isArray(options) || !options.every((o) => typeof o === 'string')) return undefined
  const frozen = Array.isArray(result) && result.every((n) => Number.isInteger(n)) ? (result as number[]) : undefined
  return { id, question, options: options as string[], by, status, ...(frozen === undefined ? {} : { result: frozen }) }
}

/** Reads the server state (anything malformed is skipped: it is replicated data). */
export function readVoteState(state: JsonObject): VoteState {
  const polls: Record<string, Poll> = {}
  if (isRecord(state.polls)) {
    for (const [id, v] of Object.entries(state.polls)) {
      const poll = parsePoll(id, v)
      if (poll !== undefined) polls[id] = poll
    }
  }
  const votes: Record<string, Record<string, number>> = {}
  if (isRecord(state.votes)) {
    for (const [pollId, byVoter] of Object.entries(state.votes)) {
      if (!isRecord(byVoter)) continue
      votes[pollId] = Object.fromEntries(Object.entries(byVoter).filter((e): e is [string, number] => Number.isInteger(e[1])))
    }
  }
  const current = typeof state.current === 'string' && polls[state.current] !== undefined ? state.current : undefined
  return { polls, current, votes }
}

/** Votes per option of `poll`: the frozen result once closed, else the live count. */
export function tally(state: VoteState, poll: Poll): number[] {
  if (poll.result !== undefined) return [...poll.result]
  const counts = poll.options.map(() => 0)
  for (const option of Object.values(state.votes[poll.id] ?? {})) {
    if (option >= 0 && option < counts.length) counts[option] = (counts[option] ?? 0) + 1
  }
  return counts
}
