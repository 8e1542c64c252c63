import { join } from 'node:path'
import { asPeerId, type PeerId, type Random } from '@sship/core'
import { randomHex } from '@sship/core/internals'
import { PersistError, PersistErrorCode } from '../errors/PersistError.js'
import { readFileIfExists, replaceFileDurably } from '../fs/durable.js'

/** Name of the file holding the peer's GUID inside a data directory. */
export const PEER_ID_FILE = 'peer-id'

/** A new peer GUID in UUID layout, the same shape `@sship/lan` makes. */
export function newPeerGuid(random: Random): PeerId {
  const h = randomHex(random, 16)
  return asPeerId(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`)
}

/**
 * The peer GUID persisted in `dir`, created once: read from `dir/peer-id` if it exists, otherwise
 * `wanted` (or a new GUID drawn from `random`) is written there durably and returned. A `wanted`
 * id that differs from the persisted one throws {@link PersistError} `peer-id-mismatch` rather
 * than silently moving the peer to another place in the successorship list.
 */
export function loadOrCreatePeerId(dir: string, random: Random, wanted?: string): PeerId {
  const path = join(dir, PEER_ID_FILE)
  const text = readFileIfExists(path)?.toString('utf8')
  if (text === undefined) {
    const id = wanted === undefined ? newPeerGuid(random) : asPeerId(wanted)
    replaceFileDurably(dir, path, new TextEncoder().encode(`${id}\n`))
    return id
  }
  let id: PeerId
  try {
    id = asPeerId(text.trim())
  } catch (cause) {
    throw new PersistError(PersistErrorCode.BadPeerId, `${path} does not hold a peer GUID`, { cause })
  }
  if (wanted !== undefined && wanted !== id) {
    throw new PersistError(PersistErrorCode.PeerIdMismatch, `${path} holds peer id "${id}", not "${wanted}"; use another directory or drop the id option`)
  }
  return id
}
