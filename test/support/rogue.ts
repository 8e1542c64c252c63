/**
 * A malicious member for the identity tests: it has valid transport access (it joins the
 * in-memory network like any peer), holds a replica of the document, and writes forged entries
 * into it, which it sends to every peer as an ordinary Yjs update.
 */
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { asPeerId, type PeerId } from '@sship/core'
import type { Cluster } from '@sship/core/testing'
import { syncFrame } from './hostileWorld.js'

/** The rogue's handle: its GUID and a way to forge. */
export interface Rogue {
  readonly id: PeerId
  /** Sends a raw frame to member `to`. */
  send(to: PeerId, frame: Uint8Array): void
  /** Copies the replica of `from` (a member's label or GUID), applies `write` to the copy, and sends the difference to every member. */
  forge(from: string, write: (doc: Y.Doc) => void): void
}

/** Joins the cluster's network as `id` (the rogue's transport-level peer id). */
export function joinRogue(c: Cluster, id: string): Rogue {
  const rogueId = asPeerId(id)
  const transport = c.network.transport(rogueId)
  transport.connect({ peerJoined: () => {}, peerLeft: () => {}, frame: () => {} })
  // Let the links come up: frames to a peer that has not joined are dropped.
  c.run(50)
  let clientID = 900_000
  return {
    id: rogueId,
    send: (to, frame) => transport.send(to, frame),
    forge(from, write) {
      const source = c.member(from).connection?.doc
      if (source === undefined) throw new Error(`${from} is not running`)
      const doc = new Y.Doc()
      doc.clientID = clientID++
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(source))
      const before = Y.encodeStateVector(doc)
      write(doc)
      const update = Y.encodeStateAsUpdate(doc, before)
      doc.destroy()
      for (const m of c.alive()) transport.send(m.id, syncFrame(syncProtocol.messageYjsUpdate, update))
    }
  }
}
