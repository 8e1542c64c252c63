import type { Connection, Server } from '@sship/core'
import { createContext } from 'react'

/** What {@link SshipProvider} hands down to the hooks. */
export interface SshipContextValue {
  /** The app's client side; every hook reads from it. */
  readonly connection: Connection
  /** The app's server side, when this device is also an eligible server. */
  readonly server: Server | undefined
}

/**
 * The React context behind the hooks; `null` outside a provider. Prefer {@link SshipProvider}
 * and the hooks; read it directly only to write hooks of your own (see {@link useSshipContext}).
 */
export const SshipContext = createContext<SshipContextValue | null>(null)
SshipContext.displayName = 'SshipContext'
