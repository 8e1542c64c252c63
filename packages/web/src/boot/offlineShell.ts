import { OFFLINE_SHELL_PATH } from '../config/appConfig.js'

/**
 * Registers the Service Worker the host serves at {@link OFFLINE_SHELL_PATH}, so that the page
 * (its HTML and built assets) loads from cache when it reloads while every host is down. Best
 * effort and not awaited: no Service Worker support (an insecure origin other than localhost, an
 * old browser) just means no offline reload.
 */
export function registerOfflineShell(): void {
  const sw = globalThis.navigator?.serviceWorker
  if (sw === undefined) return
  sw.register(OFFLINE_SHELL_PATH, { scope: '/' }).catch(() => undefined)
}
