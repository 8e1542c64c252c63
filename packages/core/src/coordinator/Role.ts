/** The lifecycle of a peer's coordinator role. */
export const Role = {
  /** Just started: listening for a coordinator before acting. */
  Joining: 'joining',
  /** Following a coordinator (or waiting for one to appear). */
  Follower: 'follower',
  /** Catching up before it claims a term. */
  Candidate: 'candidate',
  /** The coordinator: runs the server code. */
  Leader: 'leader',
  /** Handing the role to a preferred peer (failback). */
  HandingOff: 'handing-off',
  /** Stopped for good. */
  Stopped: 'stopped'
} as const

/** One of {@link Role}'s values. */
export type Role = (typeof Role)[keyof typeof Role]
