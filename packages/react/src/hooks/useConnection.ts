import type { Connection } from '@sship/core'
import { useSshipContext } from '../provider/useSshipContext.js'

/** The {@link Connection} given to the nearest {@link SshipProvider}. Throws outside one. */
export function useConnection(): Connection {
  return useSshipContext('useConnection').connection
}
