import type { Server } from '@sship/core'
import { useSshipContext } from '../provider/useSshipContext.js'

/**
 * The {@link Server} given to the nearest {@link SshipProvider}, or `undefined` when this device
 * is a client only. Throws outside a provider.
 */
export function useServer(): Server | undefined {
  return useSshipContext('useServer').server
}
