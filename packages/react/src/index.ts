/**
 * `@sship/react`: React bindings for sship. Put an {@link SshipProvider} around the app with a
 * `connection` (and, on a device that can be the server, its `server`), then read the app with
 * hooks that are thin wrappers over core's subscribe/getSnapshot through `useSyncExternalStore`:
 *
 * - {@link useCoordinator}: who the server is, the epoch, failover in progress.
 * - {@link usePeers}: the successorship list and the alive peers.
 * - {@link useSharedState}: the server state, with a selector.
 * - {@link useSharedData}: the commutative shared data (`connection.data`) as JSON.
 * - {@link useSend}: send requests and watch each call go from pending to acknowledged or failed.
 * - {@link useConflicts}: requests re-decided after a partition healed.
 * - {@link useConnection} / {@link useServer}: the objects themselves.
 *
 * What a React app needs from `@sship/core` is re-exported here.
 *
 * @packageDocumentation
 */

// Hooks and context: a client module for React Server Components frameworks.
'use client'

export { SshipProvider, type SshipProviderProps } from './provider/SshipProvider.js'
export { SshipContext, type SshipContextValue } from './provider/SshipContext.js'
export { useSshipContext, NO_PROVIDER } from './provider/useSshipContext.js'
export { useConnection } from './hooks/useConnection.js'
export { useServer } from './hooks/useServer.js'
export { useCoordinator } from './hooks/useCoordinator.js'
export { usePeers, type Peers } from './hooks/usePeers.js'
export { useSharedState } from './hooks/useSharedState.js'
export { useSharedData } from './hooks/useSharedData.js'
export { useSend, type UseSendResult, type UseSendStatus } from './hooks/useSend.js'
export { useConflicts } from './hooks/useConflicts.js'
export { shallowEqual } from './store/shallowEqual.js'
export { ConflictLog } from './store/ConflictLog.js'
export type { SharedData } from './store/SharedDataStore.js'

export {
  sship, connect, initServer, Connection, Server, SendStatus, Role, SshipError,
  type ServerOptions, type ConnectOptions, type ServerHandler, type CoordinatorSnapshot, type SendResult,
  type RequestState, type Conflict, type Json, type JsonObject, type PeerId, type Epoch
} from '@sship/core'
