/** The shared redial backoff lives in `@sship/core` (one implementation for every transport). */
export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '@sship/core'
