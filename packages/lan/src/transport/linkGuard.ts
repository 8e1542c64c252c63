import { LinkChoice } from './linkPolicy.js'

/** What {@link mayDisplace} knows about the current link of a peer. */
export interface CurrentLinkFacts {
  /** When its handshake completed (clock ms). */
  readonly openedAt: number
  /** When anything (a frame, a pong) last arrived on it. */
  readonly lastHeardAt: number
}

/** Tuning of {@link mayDisplace}. */
export interface LinkGuardOptions {
  /** A new link may win the usual tie-break (see {@link chooseLink}) within this long after the current one opened: both sides still settle simultaneous dials. */
  readonly settleMs: number
  /** A current link that was heard from within this long is alive. */
  readonly silentMs: number
}

/**
 * May a newcomer that claims a peer's GUID displace that peer's current link, as `choice` (the
 * outcome of {@link chooseLink}) asks? A hello proves nothing (anyone on the LAN can send one
 * with a member's GUID and a fresh session), so a current link that is alive is kept:
 *
 * - {@link LinkChoice.Restart} (a new session: "the old process is gone") only if the current
 *   link is silent; a restarted peer whose old socket is half-open gets in once the keepalive
 *   has noticed, a forged hello never does while the real peer answers.
 * - {@link LinkChoice.Replace} (the same session dialed the other way) only while the current
 *   link is settling, or if it is silent, and only for a link the other side dialed (`inbound`):
 *   an outbound link was admitted by the other side already.
 *
 * In a room with a secret the peer layer's handshake runs on the kept link, so a newcomer never
 * reaches it. Pure.
 */
export function mayDisplace(choice: LinkChoice, current: CurrentLinkFacts, inbound: boolean, now: number, options: LinkGuardOptions): boolean {
  if (choice === LinkChoice.KeepExisting) return false
  const silent = now - current.lastHeardAt > options.silentMs
  if (choice === LinkChoice.Restart) return silent
  return !inbound || silent || now - current.openedAt < options.settleMs
}
