import type { PeerId } from '@sship/core'

/** What {@link chooseLink} knows about one link between the local peer and a remote one. */
export interface LinkFacts {
  /** GUID of the side that dialed the link. */
  readonly dialer: PeerId
  /** The remote transport instance's session, from its hello. */
  readonly session: string
}

/** What to do with a newly identified link when another link to the same peer is current. */
export const LinkChoice = {
  /** Keep the current link; close the new one as a duplicate. */
  KeepExisting: 'keep-existing',
  /** Make the new link current without telling the peer layer; close the old one as a duplicate. */
  Replace: 'replace',
  /** The remote restarted (new session): the old link is dead; report it left and joined again. */
  Restart: 'restart'
} as const
/** One of {@link LinkChoice}'s values. */
export type LinkChoice = (typeof LinkChoice)[keyof typeof LinkChoice]

/**
 * Exactly one link per pair of peers, decided the same way on both sides without talking: a new
 * session always wins (the old process is gone); otherwise the link dialed by the smaller GUID
 * is kept, and between two links dialed by the same side the first one stays. Pure.
 */
export function chooseLink(self: PeerId, remote: PeerId, existing: LinkFacts, incoming: LinkFacts): LinkChoice {
  if (existing.session !== incoming.session) return LinkChoice.Restart
  const preferred = self < remote ? self : remote
  if (incoming.dialer === preferred && existing.dialer !== preferred) return LinkChoice.Replace
  return LinkChoice.KeepExisting
}
