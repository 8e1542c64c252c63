import type { PeerId } from '@sship/core'
import type { Hello } from './hello.js'
import type { Link } from './Link.js'
import { LinkChoice, chooseLink } from './linkPolicy.js'

/** What {@link LinkTable.admit} did with a link whose hello arrived. */
export const Admission = {
  /** Another link to the same peer is kept: close this one as a duplicate. */
  Refused: 'refused',
  /** The tie-break favoured this link, but the current one is alive and unproven newcomers do not displace it (see `mayDisplace`). */
  Contested: 'contested',
  /** The first link to the peer: report it joined. */
  Joined: 'joined',
  /** Took over from another link of the same remote process: report nothing. */
  Replaced: 'replaced',
  /** Took over from a link of the remote's previous process: report it left, then joined. */
  Restarted: 'restarted'
} as const
/** One of {@link Admission}'s values. */
export type Admission = (typeof Admission)[keyof typeof Admission]

/**
 * Every socket of one transport and the current link of each peer: exactly one per pair, chosen
 * by {@link chooseLink}. Also keeps the socket byte counts of links that closed.
 */
export class LinkTable {
  private readonly links = new Set<Link>()
  private readonly current = new Map<PeerId, Link>()
  private peerSet: ReadonlySet<PeerId> = new Set()
  private readonly closedBytes = { in: 0, out: 0 }

  constructor(private readonly self: PeerId) {}

  /** Tracks a new socket (still handshaking). */
  add(link: Link): void {
    this.links.add(link)
  }

  /** Every tracked socket: current, handshaking, and retired ones still closing. */
  all(): Link[] {
    return [...this.links]
  }

  /** How many sockets are tracked. */
  get size(): number {
    return this.links.size
  }

  /** The current link of `peer`. */
  get(peer: PeerId): Link | undefined {
    return this.current.get(peer)
  }

  /** True if `peer` has a current link. */
  has(peer: PeerId): boolean {
    return this.current.has(peer)
  }

  /** The peers with a current link (same set object until it changes). */
  peers(): ReadonlySet<PeerId> {
    return this.peerSet
  }

  /**
   * Decides whether `link`, whose remote said `hello`, becomes the peer's current link. If it
   * does, it is current when this returns, and `previous` (if any) is the link it displaced.
   * `mayDisplace` (see `mayDisplace`) has the last word before a current link is displaced.
   */
  admit(link: Link, hello: Hello, mayDisplace: (choice: LinkChoice, current: Link) => boolean = () => true): { readonly admission: Admission; readonly previous?: Link } {
    const peer = hello.peerId
    const existing = this.current.get(peer)
    link.identify(hello)
    if (existing?.remote === undefined) {
      this.setCurrent(peer, link)
      return { admission: Admission.Joined }
    }
    const choice = chooseLink(
      this.self, peer,
      { dialer: existing.dialer(this.self) ?? peer, session: existing.remote.session },
      { dialer: link.outbound ? this.self : peer, session: hello.session }
    )
    if (choice === LinkChoice.KeepExisting) return { admission: Admission.Refused }
    if (!mayDisplace(choice, existing)) return { admission: Admission.Contested }
    this.setCurrent(peer, link)
    return { admission: choice === LinkChoice.Restart ? Admission.Restarted : Admission.Replaced, previous: existing }
  }

  /** Forgets a closed socket; returns its peer if it was that peer's current link. */
  release(link: Link): PeerId | undefined {
    if (!this.links.delete(link)) return undefined
    this.closedBytes.in += link.bytesIn
    this.closedBytes.out += link.bytesOut
    const peer = link.remote?.peerId
    if (peer === undefined || this.current.get(peer) !== link) return undefined
    this.current.delete(peer)
    this.peerSet = new Set(this.current.keys())
    return peer
  }

  /** Socket bytes of every link, closed or live. */
  bytes(): { readonly in: number; readonly out: number } {
    let bytesIn = this.closedBytes.in
    let bytesOut = this.closedBytes.out
    for (const l of this.links) {
      bytesIn += l.bytesIn
      bytesOut += l.bytesOut
    }
    return { in: bytesIn, out: bytesOut }
  }

  /** Drops every current link (the transport is closing; the sockets close on their own). */
  clearCurrent(): void {
    this.current.clear()
    this.peerSet = new Set()
  }

  private setCurrent(peer: PeerId, link: Link): void {
    const had = this.current.has(peer)
    this.current.set(peer, link)
    if (!had) this.peerSet = new Set(this.current.keys())
  }
}
