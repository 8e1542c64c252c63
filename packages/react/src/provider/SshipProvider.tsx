import type { Connection, Server } from '@sship/core'
import { useMemo, type ReactNode } from 'react'
import { ConflictLog } from '../store/ConflictLog.js'
import { SshipContext, type SshipContextValue } from './SshipContext.js'

/** Props of {@link SshipProvider}. */
export interface SshipProviderProps {
  /** The app's client side, from `connect(name, …)`. */
  readonly connection: Connection
  /** The app's server side, from `initServer(name, …)`, when this device is also a server. */
  readonly server?: Server | undefined
  readonly children?: ReactNode
}

/**
 * Makes an sship app available to the hooks below it. The provider does not own the
 * connection: create it once outside React (or in a ref) and close it yourself.
 *
 * @example
 * ```tsx
 * const server = initServer('queue', { transport })
 * const connection = connect('queue', { peer: server.peer })
 * root.render(<SshipProvider connection={connection} server={server}><App /></SshipProvider>)
 * ```
 */
export function SshipProvider({ connection, server, children }: SshipProviderProps): ReactNode {
  // Conflicts are events, not state: start recording them now so useConflicts sees those that
  // happen before it mounts. The log is per connection and made once.
  ConflictLog.for(connection)
  const value = useMemo<SshipContextValue>(() => ({ connection, server }), [connection, server])
  return <SshipContext.Provider value={value}>{children}</SshipContext.Provider>
}
