import { SshipError } from '@sship/core'
import { useContext } from 'react'
import { SshipContext, type SshipContextValue } from './SshipContext.js'

/** The {@link SshipError.code} of the error a hook throws outside {@link SshipProvider}. */
export const NO_PROVIDER = 'no-provider'

/**
 * The provider's value, for writing hooks of your own. Throws an {@link SshipError} with code
 * {@link NO_PROVIDER} and a message naming `hookName` and the fix when there is no provider above.
 */
export function useSshipContext(hookName = 'useSshipContext'): SshipContextValue {
  const value = useContext(SshipContext)
  if (value === null) {
    throw new SshipError(NO_PROVIDER,
      `${hookName} must be used inside <SshipProvider connection={…}>; wrap your app in ` +
      '<SshipProvider connection={connect(name, { transport })}> (from @sship/react) and call the hook from a component below it')
  }
  return value
}
