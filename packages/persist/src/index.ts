/**
 * `@sship/persist`: crash-safe storage for sship peers on Node. {@link openDocLog} restores a
 * peer's `Y.Doc` from an append-only log of Yjs updates in a data directory and appends every
 * later update synchronously; the directory also keeps the peer's GUID, so a restarted peer
 * resumes its place in the successorship list and the requests recorded in its document.
 *
 * ```ts
 * const log = openDocLog('./data')
 * const server = initServer('todo', { transport: makeTransport(log.peerId), doc: log.doc })
 * // ...
 * server.stop()
 * log.close()
 * ```
 *
 * @packageDocumentation
 */

export { openDocLog, DocLog, LOG_FILE, type DocLogOptions, type DocLogStats } from './log/DocLog.js'
export { loadOrCreatePeerId, newPeerGuid, PEER_ID_FILE } from './identity/peerIdFile.js'
export { loadOrCreateIdentity, IDENTITY_FILE } from './identity/identityFile.js'
export {
  LOG_VERSION, HEADER_BYTES, RECORD_OVERHEAD, encodeHeader, checkHeader, encodeRecord, scanRecords,
  type HeaderCheck, type LogScan, type LogTail
} from './log/logFormat.js'
export { PersistError, PersistErrorCode } from './errors/PersistError.js'
export { DataDirLock, LOCK_FILE, readHolder, type LockHolder } from './lock/DataDirLock.js'
