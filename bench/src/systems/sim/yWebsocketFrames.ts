import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import type * as Y from 'yjs'

/** y-websocket's message type of sync messages (the first varuint of every frame). */
export const MESSAGE_SYNC = 0

/** A y-websocket sync frame carrying sync step 1 (our state vector). */
export function syncStep1Frame(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_SYNC)
  syncProtocol.writeSyncStep1(e, doc)
  return encoding.toUint8Array(e)
}

/** A y-websocket sync frame carrying one update, exactly as y-websocket's server and client build it. */
export function updateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_SYNC)
  syncProtocol.writeUpdate(e, update)
  return encoding.toUint8Array(e)
}

/**
 * Handles an incoming y-websocket frame the way y-websocket's `messageListener` does: applies
 * step 2 and updates with `origin`, and returns the reply to send (step 2 for a step 1), if any.
 * Returns undefined for frames of other types (awareness is not simulated).
 */
export function readFrame(doc: Y.Doc, frame: Uint8Array, origin: unknown): Uint8Array | undefined {
  const decoder = decoding.createDecoder(frame)
  if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return undefined
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.readSyncMessage(decoder, encoder, doc, origin)
  return encoding.length(encoder) > 1 ? encoding.toUint8Array(encoder) : undefined
}
