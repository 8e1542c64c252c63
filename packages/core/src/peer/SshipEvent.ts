import type { CoordinatorEvent } from '../coordinator/CoordinatorBase.js'
import type { Role } from '../coordinator/Role.js'
import type { Epoch, PeerId } from '../ids/ids.js'

/** How the server changed, as a person would say it. */
export const ServerChange = {
  /** The first server this peer saw (it had no history). */
  Joined: 'joined',
  /** The first server this peer saw after starting from a kept history (a reload, a restart). */
  Resumed: 'resumed',
  /** A successor took over from a server that died. */
  Failover: 'failover',
  /** The initial host came back and took the role back. */
  Failback: 'failback',
  /** The role moved between live peers for another reason. */
  Handoff: 'handoff'
} as const
/** One of {@link ServerChange}'s values. */
export type ServerChange = (typeof ServerChange)[keyof typeof ServerChange]

/**
 * What a peer reports through `onEvent`: one value per thing a person would want in a log,
 * discriminated on `type`. `at` is the peer's clock (milliseconds).
 */
export type SshipEvent =
  /** This peer is linked, knows the server and holds its history (`whenReady` resolves). */
  | { readonly type: 'ready'; readonly at: number; readonly server: PeerId; readonly epoch: Epoch }
  /** The server is another peer now (or the first one seen). */
  | { readonly type: 'server-changed'; readonly at: number; readonly change: ServerChange; readonly from: PeerId | null; readonly to: PeerId; readonly epoch: Epoch }
  /** The server went silent; a successor is being elected. */
  | { readonly type: 'server-lost'; readonly at: number; readonly server: PeerId; readonly epoch: Epoch }
  /** This peer's own role changed (e.g. it became the server, or handed the role back). */
  | { readonly type: 'role-changed'; readonly at: number; readonly role: Role; readonly previous: Role; readonly epoch: Epoch }
  /** A step of this peer's coordinator: a term claimed, stepped down, following, suspecting, handing off. */
  | { readonly type: 'coordinator'; readonly at: number; readonly event: CoordinatorEvent }
  /** A link to `peer` came up. */
  | { readonly type: 'link-up'; readonly at: number; readonly peer: PeerId }
  /** The link to `peer` went down. */
  | { readonly type: 'link-down'; readonly at: number; readonly peer: PeerId }
  /** The transport refused a link (e.g. a peer without the room secret). */
  | { readonly type: 'link-refused'; readonly at: number; readonly peer: PeerId | undefined; readonly code: string }
  /** A request was decided twice (two servers during a partition); `fenced` lost. From `Connection.onEvent`. */
  | { readonly type: 'conflict'; readonly at: number; readonly request: string; readonly fenced: string }
  /** The peer stopped. */
  | { readonly type: 'stopped'; readonly at: number }
